import { Card, CardContent } from "@mui/material";
import { useQueryClient } from "@tanstack/react-query";
import type { DeviceProfile, ProfileDefinition } from "@telehub/hub";
import { EditBase, Title, useNotify, useRecordContext, useRedirect } from "react-admin";
import { AdminOnly } from "./AdminOnly";
import { ProfileForm } from "./ProfileForm";
import { updateProfile } from "./profile-api";

function ProfileEditForm() {
  const profile = useRecordContext<DeviceProfile>();
  const notify = useNotify();
  const redirect = useRedirect();
  const queryClient = useQueryClient();
  if (!profile) return null;
  // Sends the version the form was loaded with: a save in between is refused, not overwritten.
  const save = async (definition: ProfileDefinition) => {
    const saved = await updateProfile({ ...definition, id: profile.id }, profile.version);
    // Every cached copy (this resource's, the device pages' useProfile) is now old.
    await queryClient.invalidateQueries();
    notify(`Profile ${saved.id} saved as version ${saved.version}`, { type: "success" });
    redirect("show", "profiles", saved.id);
  };
  return (
    <>
      <Title title={`Edit profile ${profile.name} (version ${profile.version})`} />
      <ProfileForm key={profile.version} profile={profile} save={save} />
    </>
  );
}

/** Edit a profile (admins): saved as a new version; a save by someone else in between is a conflict to reload. */
export function ProfileEdit() {
  return (
    <AdminOnly>
      <EditBase mutationMode="pessimistic">
        <Card sx={{ mt: 2 }}>
          <CardContent>
            <ProfileEditForm />
          </CardContent>
        </Card>
      </EditBase>
    </AdminOnly>
  );
}
