import NotificationsActiveIcon from "@mui/icons-material/NotificationsActive";
import { AlarmList } from "./AlarmList";
import { AlarmShow } from "./AlarmShow";

/** The `alarms` resource: the list (active ones first, filters, live) and one alarm with its history. */
export default { list: AlarmList, show: AlarmShow, icon: NotificationsActiveIcon, recordRepresentation: "ruleName" };
