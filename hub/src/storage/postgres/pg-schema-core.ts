/** PostgreSQL schema of the accounts and the registry: devices, API keys, users, sessions, preferences, audit, secret keys. */
export const CORE_SCHEMA = `
`;
