import TerminalIcon from "@mui/icons-material/Terminal";
import { CommandList } from "./CommandList";
import { CommandShow } from "./CommandShow";

/** The `commands` resource: list (by state and device) and one command's details. */
export default { list: CommandList, show: CommandShow, icon: TerminalIcon, recordRepresentation: "name" };
