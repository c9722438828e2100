import RuleIcon from "@mui/icons-material/Rule";
import { RuleCreate } from "./RuleCreate";
import { RuleEdit } from "./RuleEdit";
import { RuleList } from "./RuleList";
import { RuleShow } from "./RuleShow";

/** The `alarm-rules` resource: everyone reads the rules; operators create, edit (with the backtest) and delete them. */
export default {
  list: RuleList,
  show: RuleShow,
  create: RuleCreate,
  edit: RuleEdit,
  icon: RuleIcon,
  recordRepresentation: "name",
  options: { label: "Alarm rules" },
};
