import { Autocomplete, Box, TextField, Typography } from "@mui/material";
import { type CommandChoice, sourceLabel } from "./command-choices";

/**
 * The command's name: picked from the choices (grouped: the profile's, the device's, sent before;
 * the profile's description under each) or typed freely.
 */
export function CommandPicker({ choices, name, onName }: { choices: CommandChoice[]; name: string; onName: (name: string) => void }) {
  return (
    <Autocomplete
      freeSolo
      options={choices}
      groupBy={sourceLabel}
      getOptionLabel={(option) => (typeof option === "string" ? option : option.name)}
      inputValue={name}
      onInputChange={(_event, value) => onName(value)}
      sx={{ minWidth: 220, flex: "1 1 220px", maxWidth: 420 }}
      renderOption={({ key, ...props }, option) => (
        <Box component="li" key={key} {...props} sx={{ flexDirection: "column", alignItems: "flex-start !important" }}>
          <span>{option.name}</span>
          {option.description && (
            <Typography variant="caption" color="text.secondary">
              {option.description}
            </Typography>
          )}
        </Box>
      )}
      renderInput={(params) => (
        <TextField
          {...params}
          size="small"
          label="Command"
          slotProps={{
            ...params.slotProps,
            htmlInput: { ...params.slotProps.htmlInput, "data-testid": "command-name", maxLength: 64 },
          }}
        />
      )}
    />
  );
}
