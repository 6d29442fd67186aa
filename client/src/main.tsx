import { CssBaseline, ThemeProvider, createTheme } from "@mui/material";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { BrowserRouter } from "react-router-dom";
import { App } from "./App";
import { AuthProvider } from "./auth";

const theme = createTheme({
  // Darker than MUI's defaults so white chip text keeps a 4.5:1 contrast (axe-core).
  palette: {
    primary: { main: "#1e3a8a" },
    secondary: { main: "#6d28d9" },
    warning: { main: "#9a4d00" },
    info: { main: "#01579b" },
    success: { main: "#1b5e20" },
    error: { main: "#b71c1c" },
  },
});

createRoot(document.getElementById("root") as HTMLElement).render(
  <StrictMode>
    <ThemeProvider theme={theme}>
      <CssBaseline />
      <BrowserRouter>
        <AuthProvider>
          <App />
        </AuthProvider>
      </BrowserRouter>
    </ThemeProvider>
  </StrictMode>,
);
