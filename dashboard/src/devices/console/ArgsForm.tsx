import { Box, Button } from "@mui/material";
import Form from "@rjsf/mui";
import type { RJSFSchema } from "@rjsf/utils";
import { schemaValidator } from "./schema-validator";

export interface ArgsFormProps {
  /** The command's `args` schema (an object schema). */
  schema: Record<string, unknown>;
  args: Record<string, unknown>;
  onArgs: (args: Record<string, unknown>) => void;
  /** Called with arguments that passed the schema; nothing is called while one is invalid. */
  onSend: (args: Record<string, unknown>) => void;
  sending: boolean;
  disabled: boolean;
}

/**
 * A form drawn from a command's argument schema (react-jsonschema-form, MUI theme), validated
 * before anything is sent (schema-check.ts: ajv cannot run under the page's CSP): an invalid
 * argument shows its error and `onSend` is not called. Loaded on demand (React.lazy): the list
 * pages do not pay for rjsf.
 */
export default function ArgsForm({ schema, args, onArgs, onSend, sending, disabled }: ArgsFormProps) {
  return (
    <Box data-testid="command-form" sx={{ "& .MuiFormControl-root": { minWidth: 0 } }}>
      <Form
        schema={schema as RJSFSchema}
        validator={schemaValidator}
        formData={args}
        onChange={(event) => onArgs((event.formData ?? {}) as Record<string, unknown>)}
        onSubmit={(event) => onSend((event.formData ?? {}) as Record<string, unknown>)}
        // The errors are shown under their fields; without onError rjsf also logs them to the console.
        onError={() => undefined}
        showErrorList={false}
        noHtml5Validate
        disabled={sending}
      >
        <Button type="submit" variant="contained" disabled={sending || disabled} data-testid="command-send" sx={{ mt: 1 }}>
          Send
        </Button>
      </Form>
    </Box>
  );
}
