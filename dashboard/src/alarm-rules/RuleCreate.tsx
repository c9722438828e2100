import { Card, CardContent } from "@mui/material";
import { useQueryClient } from "@tanstack/react-query";
import type { RuleDefinition } from "@telehub/hub";
import { Title, useNotify, useRedirect } from "react-admin";
import { RuleForm } from "./RuleForm";
import { createRule } from "./rule-api";

/** A new alarm rule (operators): it starts watching at once; then the rules list. */
export function RuleCreate() {
  const notify = useNotify();
  const redirect = useRedirect();
  const queryClient = useQueryClient();
  const save = async (definition: RuleDefinition) => {
    const rule = await createRule(definition);
    await queryClient.invalidateQueries({ queryKey: ["alarm-rules"] });
    notify(`Rule ${rule.name} created`, { type: "success" });
    redirect("list", "alarm-rules");
  };
  return (
    <Card sx={{ mt: 2 }}>
      <Title title="Create alarm rule" />
      <CardContent>
        <RuleForm save={save} />
      </CardContent>
    </Card>
  );
}
