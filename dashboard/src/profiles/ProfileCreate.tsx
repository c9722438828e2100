import { Card, CardContent } from "@mui/material";
import { useQueryClient } from "@tanstack/react-query";
import type { ProfileDefinition } from "@telehub/hub";
import { Title, useNotify, useRedirect } from "react-admin";
import { AdminOnly } from "./AdminOnly";
import { ProfileForm } from "./ProfileForm";
import { createProfile } from "./profile-api";

/** A new profile: version 1 once saved, then its page. */
function ProfileCreatePage() {
  const notify = useNotify();
  const redirect = useRedirect();
  const queryClient = useQueryClient();
  const save = async (definition: ProfileDefinition) => {
    const profile = await createProfile(definition);
    // The fleet views' and the device create page's profile lists are now short of one.
    await queryClient.invalidateQueries();
    notify(`Profile ${profile.id} created`, { type: "success" });
    redirect("show", "profiles", profile.id);
  };
  return (
    <Card sx={{ mt: 2 }}>
      <Title title="Create profile" />
      <CardContent>
        <ProfileForm save={save} />
      </CardContent>
    </Card>
  );
}

/** Create a profile: admins only. */
export function ProfileCreate() {
  return (
    <AdminOnly>
      <ProfileCreatePage />
    </AdminOnly>
  );
}
