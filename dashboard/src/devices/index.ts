import RouterIcon from "@mui/icons-material/Router";
import { DeviceCreate } from "./DeviceCreate";
import { DeviceEdit } from "./DeviceEdit";
import { DeviceList } from "./DeviceList";
import { DeviceShow } from "./DeviceShow";

/** The `devices` resource: list, show (live charts, history, config, commands), create, edit (name, labels, profile). */
export default {
  list: DeviceList,
  show: DeviceShow,
  create: DeviceCreate,
  edit: DeviceEdit,
  icon: RouterIcon,
  recordRepresentation: "name",
};
