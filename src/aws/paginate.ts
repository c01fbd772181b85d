/** Every item of a paged listing (ELB's Marker/NextMarker, ECS's nextToken), in order. */
export async function allPages<T>(
  page: (token?: string) => Promise<{ items?: T[]; next?: string }>
): Promise<T[]> {
  const all: T[] = []
  let token: string | undefined
  do {
    const { items, next } = await page(token)
    all.push(...(items ?? []))
    token = next
  } while (token)
  return all
}
