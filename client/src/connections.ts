/** The nodes of a Relay connection, in its order (none for a missing connection). */
export function nodes<T>(connection: { readonly edges: readonly { readonly node: T }[] } | null | undefined): T[] {
  return connection ? connection.edges.map((edge) => edge.node) : [];
}
