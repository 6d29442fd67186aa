import { Stack, Typography } from "@mui/material";
import { useEffect } from "react";
import { useQuery } from "urql";
import { Empty, ErrorState, Loading } from "../components/states";
import { nodes } from "../connections";
import { graphql } from "../gql";
import { MemberTable } from "./ObservatorySettings";

const MEMBER_LISTS = graphql(`
  query AdminMemberLists {
    organizations(first: 100) {
      edges {
        node {
          id
          name
          members(first: 100) { edges { node { user { id email fullName } isOwner permissions } } }
          projects(first: 100) {
            edges {
              node {
                id
                code
                name
                members(first: 100) { edges { node { user { id email fullName } isOwner permissions } } }
              }
            }
          }
        }
      }
    }
  }
`);

/** The members of an organization and of each of its projects, re-read when `version` changes. */
export function OrganizationMemberLists({ organizationId, version }: { organizationId: string; version: number }) {
  const [result, refetch] = useQuery({ query: MEMBER_LISTS });
  useEffect(() => {
    if (version > 0) refetch({ requestPolicy: "network-only" });
  }, [version, refetch]);
  if (result.error && !result.data) return <ErrorState error={result.error} />;
  if (!result.data) return <Loading label="Loading members…" />;
  const organization = nodes(result.data.organizations).find((o) => o.id === organizationId);
  if (!organization) return <Empty>Create an organization first.</Empty>;
  return (
    <Stack spacing={2} data-testid="member-lists">
      <Typography variant="subtitle1" component="h3">
        Members of {organization.name}
      </Typography>
      <MemberTable members={nodes(organization.members)} label={`Members of ${organization.name}`} />
      {nodes(organization.projects).map((project) => (
        <Stack key={project.id} spacing={1}>
          <Typography variant="subtitle1" component="h3">
            Members of project {project.code}
          </Typography>
          <MemberTable members={nodes(project.members)} label={`Members of project ${project.code}`} />
        </Stack>
      ))}
    </Stack>
  );
}
