/** The fields a store adds to a definition it keeps (rules, channels). */
interface StoredFields {
  id?: unknown;
  version?: unknown;
  createdAt?: unknown;
  updatedAt?: unknown;
  updatedBy?: unknown;
}

/** `definition` without the fields the store adds, should a whole stored record be passed as one (they are columns, not JSON). */
export function definitionOnly<T extends object>(definition: T): T {
  const {
    id: _id,
    version: _version,
    createdAt: _createdAt,
    updatedAt: _updatedAt,
    updatedBy: _updatedBy,
    ...rest
  } = definition as T & StoredFields;
  return rest as T;
}
