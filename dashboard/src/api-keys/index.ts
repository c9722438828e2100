import KeyIcon from "@mui/icons-material/Key";
import { ApiKeyCreate } from "./ApiKeyCreate";
import { ApiKeyList } from "./ApiKeyList";

/** The `api-keys` resource (admin only): list, create (secret shown once), revoke. */
export default { list: ApiKeyList, create: ApiKeyCreate, icon: KeyIcon, options: { label: "API keys" }, recordRepresentation: "name" };
