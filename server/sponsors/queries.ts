/** Sponsors as pages show them: tiers in order with their sponsors, and the counters. */
import { type Kysely, sql } from "kysely";
import type { DB, SponsorPlacement } from "../db/schema.ts";

export const PLACEMENTS = ["event_page", "lobby", "room", "overlay"] as const satisfies readonly SponsorPlacement[];

export type PublicSponsor = { id: string; name: string; description: string; logoUrl: string; bannerUrl: string; link: string; tierId: string | null };
export type PublicTier = { id: string | null; name: string; logoSize: "small" | "medium" | "large"; sponsors: PublicSponsor[] };

export async function sponsorsByTier(db: Kysely<DB>, eventId: string): Promise<PublicTier[]> {
  const [tiers, sponsors] = await Promise.all([
    db.selectFrom("sponsor_tiers").selectAll().where("event_id", "=", eventId).orderBy("position").orderBy("created_at").execute(),
    db.selectFrom("sponsors").selectAll().where("event_id", "=", eventId).orderBy("position").orderBy("name").execute(),
  ]);
  const view = (s: (typeof sponsors)[number]): PublicSponsor => ({
    id: s.id, name: s.name, description: s.description, logoUrl: s.logo_url, bannerUrl: s.banner_url, link: s.link, tierId: s.tier_id,
  });
  const result: PublicTier[] = tiers.map((t) => ({ id: t.id, name: t.name, logoSize: t.logo_size, sponsors: sponsors.filter((s) => s.tier_id === t.id).map(view) }));
  const untiered = sponsors.filter((s) => s.tier_id === null);
  if (untiered.length) result.push({ id: null, name: "Sponsors", logoSize: "small", sponsors: untiered.map(view) });
  return result;
}

/** Adds `by` impressions or clicks to today's counter of each sponsor for a placement. */
export async function countSponsor(db: Kysely<DB>, sponsorIds: string[], placement: SponsorPlacement, what: "impressions" | "clicks", by = 1, now = new Date()) {
  const day = now.toISOString().slice(0, 10);
  const impressions = what === "impressions" ? by : 0;
  const clicks = what === "clicks" ? by : 0;
  await db.transaction().execute(async (trx) => {
    for (const sponsorId of sponsorIds) {
      await trx
        .insertInto("sponsor_stats")
        .values({ sponsor_id: sponsorId, day, placement, impressions, clicks })
        .onConflict((oc) =>
          oc.columns(["sponsor_id", "day", "placement"]).doUpdateSet({
            impressions: sql<number>`sponsor_stats.impressions + ${impressions}`,
            clicks: sql<number>`sponsor_stats.clicks + ${clicks}`,
          }),
        )
        .execute();
    }
  });
}

/** Impressions, clicks and click-through rate per sponsor, with the split by placement. */
export async function sponsorStats(db: Kysely<DB>, eventId: string) {
  const rows = await db
    .selectFrom("sponsors as s")
    .leftJoin("sponsor_stats as st", "st.sponsor_id", "s.id")
    .select(["s.id", "s.name", "st.placement", (eb) => eb.fn.sum<number>("st.impressions").as("impressions"), (eb) => eb.fn.sum<number>("st.clicks").as("clicks")])
    .where("s.event_id", "=", eventId)
    .groupBy(["s.id", "st.placement"])
    .orderBy("s.name")
    .execute();
  const bySponsor = new Map<string, { id: string; name: string; impressions: number; clicks: number; clickThroughRate: number | null; byPlacement: Record<string, { impressions: number; clicks: number }> }>();
  for (const r of rows) {
    let entry = bySponsor.get(r.id);
    if (!entry) bySponsor.set(r.id, (entry = { id: r.id, name: r.name, impressions: 0, clicks: 0, clickThroughRate: null, byPlacement: {} }));
    if (!r.placement) continue;
    const impressions = Number(r.impressions ?? 0);
    const clicks = Number(r.clicks ?? 0);
    entry.impressions += impressions;
    entry.clicks += clicks;
    entry.byPlacement[r.placement] = { impressions, clicks };
  }
  for (const e of bySponsor.values()) e.clickThroughRate = e.impressions ? Math.round((e.clicks / e.impressions) * 10_000) / 10_000 : null;
  return [...bySponsor.values()];
}
