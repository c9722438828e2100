import { type FormEvent, useState } from "react";

/**
 * A form's submit handler around an async action: `busy` while it runs, `failure` with its
 * error message afterwards (the form shows it), no page reload.
 */
export function useFormAction(action: () => Promise<void>): {
  submit: (event: FormEvent) => Promise<void>;
  busy: boolean;
  failure?: string;
} {
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<string | undefined>();
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setFailure(undefined);
    try {
      await action();
    } catch (error) {
      setFailure((error as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return { submit, busy, failure };
}
