import type { DataProvider, GetListParams, Identifier, RaRecord } from "react-admin";
import { hubFetch, queryString } from "./api";

/**
 * react-admin ↔ the hub's list dialect (docs/api.md): `limit`/`offset` paging, `sort=-field`,
 * filters as plain query parameters, answers `{data, total, limit, offset}` (also
 * `X-Total-Count`). ra-data-simple-rest speaks `range`/`Content-Range` instead, so this small
 * provider maps the few calls the dashboard makes:
 *
 * - `devices`: list (sort, `q`, `connected`, `state`, `label`, `profileId`, `firmware`), one,
 *   create (without the token: see `create`), update (`name`, `labels`, `profileId`), delete.
 * - `commands`: list (`deviceId`, `state`; newest first; the hub sorts by creation only), one.
 * - `api-keys`: list (the hub answers all keys: paged here), create (without the secret),
 *   delete = revoke.
 * - `users`: list (oldest first: no sort), one, create (an empty name left out), update (only the fields that changed,
 *   so an unchanged role never meets the last-admin rule), delete.
 * - `audit`: list (`actor`, `action`, `target`; newest first: no sort).
 * - `alarms`: list (`status`, `acknowledged`, `severity`, `deviceId`, `profileId`, `ruleId`; newest raised first: no sort), one (with its transitions).
 */

/** Lists the hub keeps in one order: no `sort` parameter is sent. */
const UNSORTED = new Set(["users", "audit", "alarms"]);

type Page = { data: RaRecord[]; total?: number };

function listQuery(resource: string, params: GetListParams): string {
  const { page, perPage } = params.pagination ?? { page: 1, perPage: 25 };
  const paging = { limit: perPage, offset: (page - 1) * perPage };
  const filter = (params.filter ?? {}) as Record<string, string | boolean | undefined>;
  if (resource === "commands") {
    const order = params.sort?.order === "ASC" ? "asc" : "desc";
    const state = Array.isArray(filter.state) ? filter.state.join(",") : filter.state;
    return queryString({ ...paging, order, deviceId: filter.deviceId, state });
  }
  if (UNSORTED.has(resource)) return queryString({ ...paging, ...filter });
  const sort = params.sort?.field ? `${params.sort.order === "DESC" ? "-" : ""}${params.sort.field}` : undefined;
  return queryString({ ...paging, sort, ...filter });
}

async function getList(resource: string, params: GetListParams) {
  if (resource === "api-keys") {
    const { json } = await hubFetch<Page>("/api-keys");
    const { page, perPage } = params.pagination ?? { page: 1, perPage: 25 };
    return { data: json.data.slice((page - 1) * perPage, page * perPage), total: json.data.length };
  }
  const { json, headers } = await hubFetch<Page>(`/${resource}${listQuery(resource, params)}`);
  return { data: json.data, total: json.total ?? Number(headers.get("x-total-count") ?? json.data.length) };
}

async function getOne(resource: string, id: Identifier) {
  const { json } = await hubFetch<RaRecord>(`/${resource}/${encodeURIComponent(String(id))}`);
  return { data: json };
}

/**
 * Create answers carry a secret for devices (`token`) and API keys (`key`). It is left out here,
 * so it never enters react-admin's query cache: the create pages call the API themselves and
 * keep the secret only in their own state (shown once).
 */
async function create(resource: string, data: Record<string, unknown>) {
  // The hub names a user after its username when no name is given (an empty one is refused).
  if (resource === "users" && !data.name) data = { ...data, name: undefined };
  const { json } = await hubFetch<Record<string, RaRecord>>(`/${resource}`, { method: "POST", body: JSON.stringify(data) });
  if (resource === "devices") return { data: json.device as RaRecord };
  if (resource === "api-keys") return { data: json.apiKey as RaRecord };
  return { data: json as unknown as RaRecord };
}

/** The user fields an admin may change (`PATCH /users/:id`), those that differ from `previous`. */
function userChange(data: Record<string, unknown>, previous: Record<string, unknown> | undefined): Record<string, unknown> {
  const change: Record<string, unknown> = {};
  for (const field of ["name", "email", "role", "disabled"]) {
    const value = data[field];
    // An emptied name is left as it was: the hub refuses an empty one.
    if (value === undefined || (field === "name" && value === "") || value === previous?.[field]) continue;
    change[field] = value;
  }
  return change;
}

async function update(resource: string, id: Identifier, data: Record<string, unknown>, previous?: RaRecord) {
  if (resource === "users") {
    const path = `/users/${encodeURIComponent(String(id))}`;
    const change = userChange(data, previous);
    if (Object.keys(change).length === 0) return getOne(resource, id);
    const { json } = await hubFetch<RaRecord>(path, { method: "PATCH", body: JSON.stringify(change) });
    return { data: json };
  }
  if (resource !== "devices") throw new Error(`${resource} cannot be edited`);
  // The profile only when it changed: setting one may also set the desired configuration (docs/api.md).
  const profileChanged = "profileId" in data && data.profileId !== previous?.profileId;
  const body = JSON.stringify({ name: data.name, labels: data.labels ?? {}, ...(profileChanged && { profileId: data.profileId }) });
  const { json } = await hubFetch<RaRecord>(`/devices/${encodeURIComponent(String(id))}`, { method: "PATCH", body });
  return { data: json };
}

async function remove(resource: string, id: Identifier, previous?: RaRecord) {
  await hubFetch(`/${resource}/${encodeURIComponent(String(id))}`, { method: "DELETE" });
  return { data: previous ?? { id } };
}

export const dataProvider = {
  getList: (resource, params) => getList(resource, params),
  getOne: (resource, { id }) => getOne(resource, id),
  getMany: async (resource, { ids }) => ({ data: await Promise.all(ids.map(async (id) => (await getOne(resource, id)).data)) }),
  getManyReference: (resource, params) => getList(resource, { ...params, filter: { ...params.filter, [params.target]: params.id } }),
  create: (resource, { data }) => create(resource, data),
  update: (resource, { id, data, previousData }) => update(resource, id, data, previousData),
  updateMany: () => Promise.reject(new Error("bulk updates are not supported")),
  delete: (resource, { id, previousData }) => remove(resource, id, previousData),
  deleteMany: async (resource, { ids }) => {
    for (const id of ids) await remove(resource, id);
    return { data: ids };
  },
} as DataProvider;
