import HistoryIcon from "@mui/icons-material/History";
import { AuditList } from "./AuditList";

/** The `audit` resource (admin only): who did what, and when. */
export default { list: AuditList, icon: HistoryIcon, options: { label: "Audit log" } };
