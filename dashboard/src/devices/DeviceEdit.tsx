import { Edit, maxLength, required, ShowButton, SimpleForm, TextInput, TopToolbar } from "react-admin";
import { ProfileInput } from "../fleet/ProfileInput";
import { LabelsInput } from "./labels/LabelsInput";

/** What `PATCH /devices/:id` is sent: a cleared profile is `null`. */
function toPatch(data: Record<string, unknown>): Record<string, unknown> {
  return { ...data, ...("profileId" in data && { profileId: data.profileId === "" ? null : data.profileId }) };
}

/** Change a device's name, labels and profile (`PATCH /devices/:id`, operators and admins). */
export function DeviceEdit() {
  return (
    <Edit
      mutationMode="pessimistic"
      redirect="show"
      transform={toPatch}
      actions={
        <TopToolbar>
          <ShowButton />
        </TopToolbar>
      }
    >
      <SimpleForm>
        <TextInput source="id" disabled />
        <TextInput source="name" validate={[required(), maxLength(128)]} />
        <ProfileInput />
        <LabelsInput />
      </SimpleForm>
    </Edit>
  );
}
