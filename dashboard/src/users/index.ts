import PeopleIcon from "@mui/icons-material/People";
import { UserCreate } from "./UserCreate";
import { UserEdit } from "./UserEdit";
import { UserList } from "./UserList";

/** The `users` resource (admin only): list, create with an initial password, edit, disable, reset, delete. */
export default { list: UserList, create: UserCreate, edit: UserEdit, icon: PeopleIcon, recordRepresentation: "username" };
