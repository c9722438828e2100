import RouterIcon from "@mui/icons-material/Router";
import { DeviceCreate } from "./DeviceCreate";
import { DeviceList } from "./DeviceList";
import { DeviceShow } from "./DeviceShow";

/** The `devices` resource: list, show (live charts, history, config, commands), create. */
export default {
  list: DeviceList,
  show: DeviceShow,
  create: DeviceCreate,
  icon: RouterIcon,
  recordRepresentation: "name",
};
