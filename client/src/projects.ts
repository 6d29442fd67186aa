import { useEffect, useMemo, useState } from "react";
import { useQuery } from "urql";
import { nodes } from "./connections";
import { graphql } from "./gql";

// The projects of every organization the viewer belongs to (`Organization.projects`), plus
// those created in this browser until the list is read again (a direct project member who is
// not in the organization sees those projects through their observations).

export interface KnownProject {
  id: string;
  name: string;
  code: string;
  organizationId: string;
}

const KEY = "ss.projects";

export function rememberedProjects(): KnownProject[] {
  try {
    return JSON.parse(localStorage.getItem(KEY) ?? "[]") as KnownProject[];
  } catch {
    return [];
  }
}

export function rememberProject(project: KnownProject): void {
  const others = rememberedProjects().filter((p) => p.id !== project.id);
  localStorage.setItem(KEY, JSON.stringify([project, ...others]));
  window.dispatchEvent(new Event(CHANGED));
}

const CHANGED = "ss-projects-changed";

const PROJECTS_OF_ORGANIZATIONS = graphql(`
  query ProjectsOfOrganizations {
    organizations(first: 100) {
      edges {
        node {
          id
          projects(first: 100) {
            edges {
              node {
                id
                name
                code
                organizationId
              }
            }
          }
        }
      }
    }
    observations(first: 100) {
      edges {
        node {
          id
          project {
            id
            name
            code
            organizationId
          }
        }
      }
    }
  }
`);

export function useKnownProjects(): { projects: KnownProject[]; fetching: boolean } {
  const [result] = useQuery({ query: PROJECTS_OF_ORGANIZATIONS });
  const [version, setVersion] = useState(0);
  useEffect(() => {
    const bump = () => setVersion((v) => v + 1);
    window.addEventListener(CHANGED, bump);
    return () => window.removeEventListener(CHANGED, bump);
  }, []);
  const projects = useMemo(() => {
    void version;
    const byId = new Map<string, KnownProject>();
    for (const organization of nodes(result.data?.organizations)) {
      for (const project of nodes(organization.projects)) byId.set(project.id, project);
    }
    for (const project of rememberedProjects()) if (!byId.has(project.id)) byId.set(project.id, project);
    for (const edge of result.data?.observations.edges ?? []) {
      const project = edge.node.project;
      if (project && !byId.has(project.id)) byId.set(project.id, project);
    }
    return [...byId.values()];
  }, [result.data, version]);
  return { projects, fetching: result.fetching };
}
