import {
  type CustomValidator,
  createErrorHandler,
  type ErrorTransformer,
  getDefaultFormState,
  type RJSFSchema,
  type RJSFValidationError,
  toErrorSchema,
  type UiSchema,
  unwrapErrorHandler,
  type ValidationData,
  type ValidatorType,
  validationDataMerge,
} from "@rjsf/utils";
import { checkAgainstSchema, type SchemaProblem } from "./schema-check";

type Args = Record<string, unknown>;

/** The title of the property a `required` problem names, from the schema, for the message. */
function titleOf(schema: RJSFSchema, instancePath: string, property: string): string | undefined {
  let node: unknown = schema;
  for (const part of [...instancePath.split("/").slice(1), property])
    node = (node as { properties?: Record<string, unknown> } | undefined)?.properties?.[part];
  const title = (node as { title?: unknown } | undefined)?.title;
  return typeof title === "string" ? title : undefined;
}

/** A problem as rjsf lists it (as its ajv validator does: `.setpoint`, "must be <= 35"). */
function toRjsfError(problem: SchemaProblem, schema: RJSFSchema): RJSFValidationError {
  const base = problem.instancePath.replace(/\//g, ".");
  const missing = problem.params.missingProperty;
  if (typeof missing === "string") {
    const title = titleOf(schema, problem.instancePath, missing);
    const message = title ? problem.message.replace(`'${missing}'`, `'${title}'`) : problem.message;
    return {
      name: problem.keyword,
      property: `${base}.${missing}`,
      message,
      params: problem.params,
      stack: message,
      schemaPath: problem.schemaPath,
    };
  }
  return {
    name: problem.keyword,
    property: base,
    message: problem.message,
    params: problem.params,
    stack: `${base} ${problem.message}`.trim(),
    schemaPath: problem.schemaPath,
  };
}

/**
 * rjsf's validator interface over {@link checkAgainstSchema}: validates a form without compiling
 * code, which the dashboard's Content-Security-Policy forbids (and so ajv cannot run in the page).
 */
export const schemaValidator: ValidatorType<Args, RJSFSchema> = {
  validateFormData(
    formData: Args | undefined,
    schema: RJSFSchema,
    customValidate?: CustomValidator<Args, RJSFSchema>,
    transformErrors?: ErrorTransformer<Args, RJSFSchema>,
    uiSchema?: UiSchema<Args, RJSFSchema>,
  ): ValidationData<Args> {
    let errors = checkAgainstSchema(schema, formData).map((problem) => toRjsfError(problem, schema));
    if (transformErrors) errors = transformErrors(errors, uiSchema);
    const errorSchema = toErrorSchema<Args>(errors);
    if (!customValidate) return { errors, errorSchema };
    const data = getDefaultFormState<Args, RJSFSchema>(schemaValidator, schema, formData, schema, true) as Args;
    const handler = customValidate(data, createErrorHandler<Args>(data), uiSchema, errorSchema);
    return validationDataMerge({ errors, errorSchema }, unwrapErrorHandler<Args>(handler));
  },
  isValid(schema: RJSFSchema, formData: Args | undefined, rootSchema: RJSFSchema): boolean {
    return checkAgainstSchema(schema, formData, rootSchema).length === 0;
  },
  rawValidation<Result = SchemaProblem>(schema: RJSFSchema, formData?: Args): { errors?: Result[]; validationError?: Error } {
    return { errors: checkAgainstSchema(schema, formData) as Result[] };
  },
};
