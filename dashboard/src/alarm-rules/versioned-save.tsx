import { Alert, Button } from "@mui/material";
import { useState } from "react";
import { HttpError } from "react-admin";
import { hubFetch } from "../api";

/** The hub's error code and `details.field` in a refusal `hubFetch` threw. */
export function refusalOf(error: unknown): { code?: string; field?: string } {
  if (!(error instanceof HttpError)) return {};
  const body = error.body as { error?: { code?: string; details?: { field?: unknown } } } | undefined;
  const field = body?.error?.details?.field;
  return { code: body?.error?.code, field: typeof field === "string" ? field : undefined };
}

/** What a stored, versioned thing (rule, channel) says about its last save. */
interface Versioned {
  version: number;
  updatedAt: number;
  updatedBy: string | null;
}

/** Someone else saved the thing after the form was loaded (`409 TH_API_…_VERSION_CONFLICT`). */
export class VersionConflict extends Error {
  constructor(
    readonly edited: number,
    readonly current: Versioned | undefined,
  ) {
    const who = current?.updatedBy ? ` (${current.updatedBy}, ${new Date(current.updatedAt).toLocaleString()})` : "";
    const saved = current ? `saved version ${current.version}${who}` : "saved a newer version";
    super(
      `Someone else ${saved} while you were editing version ${edited}. Reload to edit the newest version; your changes were not saved.`,
    );
  }
}

/**
 * `PUT path` with the version being edited (`version` in the body): the hub refuses it when another
 * save came first (`conflictCode`), and this throws a {@link VersionConflict} that names the newer version.
 */
export async function putVersioned<T extends Versioned>(
  path: string,
  definition: object,
  edited: number,
  conflictCode: string,
): Promise<T> {
  try {
    return (await hubFetch<T>(path, { method: "PUT", body: JSON.stringify({ ...definition, version: edited }) })).json;
  } catch (error) {
    if (refusalOf(error).code !== conflictCode) throw error;
    const current = await hubFetch<T>(path).then(
      (answer) => answer.json,
      () => undefined,
    );
    throw new VersionConflict(edited, current);
  }
}

/** Why the last save failed, above Save: the hub's message, or a version conflict with a Reload button. */
export function SaveFailure({ failure, testId }: { failure: Error; testId: string }) {
  return (
    <Alert
      severity="error"
      data-testid={testId}
      sx={{ mb: 2, width: "100%" }}
      action={
        failure instanceof VersionConflict ? (
          <Button color="inherit" size="small" onClick={() => window.location.reload()}>
            Reload
          </Button>
        ) : undefined
      }
    >
      {failure.message}
    </Alert>
  );
}

/**
 * A react-admin `onSubmit` around `save`: the failure to show above Save, and, when the hub refused
 * with `invalidCode` naming a field (`details.field`), that field's input marked with the message
 * (`inputOf` maps the hub's field to the form's input). What was typed stays.
 */
export function useSaveWithFieldErrors<V>(
  save: (values: V) => Promise<void>,
  invalidCode: string,
  inputOf: (field: string, values: V) => string | undefined,
): { failure: Error | undefined; submit: (values: Record<string, unknown>) => Promise<Record<string, string> | undefined> } {
  const [failure, setFailure] = useState<Error | undefined>();
  const submit = async (raw: Record<string, unknown>): Promise<Record<string, string> | undefined> => {
    setFailure(undefined);
    const values = raw as unknown as V;
    try {
      await save(values);
      return undefined;
    } catch (error) {
      setFailure(error as Error);
      const { code, field } = refusalOf(error);
      const input = code === invalidCode && field ? inputOf(field, values) : undefined;
      return input ? { [input]: (error as Error).message } : undefined;
    }
  };
  return { failure, submit };
}

/** Select choices whose id is their name. */
export const choicesOf = (values: readonly string[]) => values.map((value) => ({ id: value, name: value }));
