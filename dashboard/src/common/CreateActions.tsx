import { CreateButton, TopToolbar } from "react-admin";

/** A list's actions when all it offers is Create. */
export function CreateActions() {
  return (
    <TopToolbar>
      <CreateButton />
    </TopToolbar>
  );
}
