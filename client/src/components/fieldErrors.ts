// Typed payload errors (ValidationError.fields) placed next to the field they name.

export interface FieldErrorLike {
  path: readonly string[];
  message: string;
}

export type FieldErrorMap = Record<string, string>;

export function toFieldErrors(fields: readonly FieldErrorLike[] | undefined): FieldErrorMap {
  const map: FieldErrorMap = {};
  for (const field of fields ?? []) {
    const key = field.path.join(".");
    map[key] = map[key] ? `${map[key]} ${field.message}` : field.message;
  }
  return map;
}

/** Props for an MUI TextField: error flag and helper text for the field at `path`. */
export function errorProps(errors: FieldErrorMap, path: string, helper?: string) {
  const message = errors[path];
  return { error: Boolean(message), helperText: message ?? helper };
}

/** Messages whose path is not shown by any field in the form. */
export function unplacedErrors(errors: FieldErrorMap, shown: (path: string) => boolean): string[] {
  return Object.entries(errors)
    .filter(([path]) => !shown(path))
    .map(([path, message]) => (path ? `${path}: ${message}` : message));
}
