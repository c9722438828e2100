import ViewQuiltIcon from "@mui/icons-material/ViewQuilt";
import { ProfileCreate } from "./ProfileCreate";
import { ProfileEdit } from "./ProfileEdit";
import { ProfileList } from "./ProfileList";
import { ProfileShow } from "./ProfileShow";

/** The `profiles` resource: everyone lists and reads them (with their versions); admins create, edit and delete. */
export default {
  list: ProfileList,
  show: ProfileShow,
  create: ProfileCreate,
  edit: ProfileEdit,
  icon: ViewQuiltIcon,
  recordRepresentation: "name",
};
