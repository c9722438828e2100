import { Stack, Typography } from "@mui/material";

/** One line of a details card: a label, then the value in words. */
export function DetailLine({ label, children }: { label: string; children: string }) {
  return (
    <Stack direction="row" spacing={2}>
      <Typography variant="body2" color="text.secondary" sx={{ minWidth: 160, flexShrink: 0 }}>
        {label}
      </Typography>
      <Typography variant="body2" sx={{ wordBreak: "break-word" }}>
        {children}
      </Typography>
    </Stack>
  );
}
