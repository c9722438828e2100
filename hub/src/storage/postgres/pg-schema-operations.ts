/** PostgreSQL schema of what operators do with devices: commands, desired configuration, profiles, alarms, notifications. */
export const OPERATIONS_SCHEMA = `
`;
