import { Box, Card, CardActionArea, CardContent, Chip, Typography } from "@mui/material";
import { useCallback, useEffect, useRef } from "react";
import { Link as RouterLink } from "react-router-dom";
import { useQuery } from "urql";
import { Empty, ErrorState, Loading } from "../components/states";
import { humanize } from "../components/format";
import { graphql } from "../gql";
import { useFrameEvents } from "../live";

const RECENT_FRAMES_FEED = graphql(`
  query RecentFramesFeed($first: Int!) {
    recentFrames(first: $first) {
      edges {
        node {
          id
          state
          createdAt
          thumbnailUrl
          metadata { filterName exposureS }
          metrics { fwhmArcsec starsDetected }
          grade { accepted }
          observation { id name }
        }
      }
    }
  }
`);

/** The newest frames of every observation the viewer may see; re-read on frame events. */
export function RecentFramesFeed({ first = 12 }: { first?: number }) {
  const [result, refetch] = useQuery({ query: RECENT_FRAMES_FEED, variables: { first } });
  const timer = useRef<number | undefined>(undefined);
  useEffect(() => () => window.clearTimeout(timer.current), []);
  const reload = useCallback(() => {
    // Once per burst of pipeline events.
    window.clearTimeout(timer.current);
    timer.current = window.setTimeout(() => refetch({ requestPolicy: "network-only" }), 300);
  }, [refetch]);
  useFrameEvents(() => reload());
  if (result.error && !result.data) return <ErrorState error={result.error} />;
  if (!result.data) return <Loading label="Loading frames…" />;
  const frames = result.data.recentFrames.edges.map((e) => e.node);
  if (frames.length === 0) return <Empty>No frames yet: they appear here as observatories upload them.</Empty>;
  return (
    <Box sx={{ display: "flex", gap: 1, flexWrap: "wrap" }} data-testid="recent-frames">
      {frames.map((frame) => (
        <Card key={frame.id} variant="outlined" sx={{ width: 168 }}>
          <CardActionArea component={RouterLink} to={`/frames/${frame.id}`} aria-label={`Frame ${frame.id.slice(-6)}${frame.observation ? ` of ${frame.observation.name}` : ""}`}>
            {frame.thumbnailUrl ? (
              <Box
                component="img"
                src={frame.thumbnailUrl}
                alt={`Thumbnail of frame ${frame.id.slice(-6)}`}
                sx={{ width: "100%", height: 112, objectFit: "cover", display: "block", bgcolor: "black" }}
                data-testid="frame-thumbnail"
              />
            ) : (
              <Box sx={{ height: 112, display: "grid", placeItems: "center", bgcolor: "grey.200" }}>
                <Typography variant="caption">{humanize(frame.state)}</Typography>
              </Box>
            )}
            <CardContent sx={{ p: 1 }}>
              <Typography variant="caption" component="p" noWrap>
                {frame.observation?.name ?? "—"}
              </Typography>
              <Typography variant="caption" component="p">
                {frame.metadata?.filterName ?? "?"} · {frame.metadata?.exposureS ?? "?"} s · FWHM {frame.metrics?.fwhmArcsec?.toFixed(2) ?? "—"}″
              </Typography>
              {frame.grade && (
                <Chip size="small" label={frame.grade.accepted ? "Accepted" : "Rejected"} color={frame.grade.accepted ? "success" : "error"} />
              )}
            </CardContent>
          </CardActionArea>
        </Card>
      ))}
    </Box>
  );
}

