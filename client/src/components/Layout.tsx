import { AppBar, Box, Button, Container, Link, Toolbar, Typography } from "@mui/material";
import { Link as RouterLink, Outlet, useLocation } from "react-router-dom";
import { useAuth } from "../auth";

const NAV = [
  { to: "/", label: "Dashboard" },
  { to: "/observations", label: "Observations" },
  { to: "/observatories", label: "Observatories" },
  { to: "/admin", label: "Administration" },
  { to: "/profile", label: "Profile" },
];

export function Layout() {
  const { session, signOut } = useAuth();
  const location = useLocation();
  return (
    <>
      <Link
        href="#main"
        sx={{ position: "absolute", left: -9999, "&:focus": { left: 8, top: 8, zIndex: 2000, bgcolor: "background.paper", p: 1 } }}
      >
        Skip to content
      </Link>
      <AppBar position="static" component="header">
        <Toolbar sx={{ gap: 1, flexWrap: "wrap" }}>
          <Typography variant="h6" component="p" sx={{ mr: 2 }}>
            Science Scheduler
          </Typography>
          <Box component="nav" aria-label="Main" sx={{ display: "flex", gap: 0.5, flexGrow: 1, flexWrap: "wrap" }}>
            {NAV.map((item) => {
              const active =
                item.to === "/" ? location.pathname === "/" : location.pathname.startsWith(item.to);
              return (
                <Button
                  key={item.to}
                  component={RouterLink}
                  to={item.to}
                  color="inherit"
                  aria-current={active ? "page" : undefined}
                  sx={{ textDecoration: active ? "underline" : "none", textUnderlineOffset: 6 }}
                >
                  {item.label}
                </Button>
              );
            })}
          </Box>
          <Typography variant="body2" sx={{ mr: 1 }}>
            {session?.user.email}
          </Typography>
          <Button color="inherit" variant="outlined" onClick={signOut}>
            Sign out
          </Button>
        </Toolbar>
      </AppBar>
      <Container component="main" id="main" tabIndex={-1} maxWidth="xl" sx={{ py: 3 }}>
        <Outlet />
      </Container>
    </>
  );
}
