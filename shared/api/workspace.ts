/** What the library keeps of a user's work between sessions: the design being edited, the shortlist. */
import { z } from 'zod';

const site = z.enum(['A', 'B', 'X']);
const range = z.tuple([z.number(), z.number()]).refine((r) => r[0] <= r[1], 'range must be [low, high]');

/** The design being edited in the Design view, as the library keeps it between sessions. */
export const designSchema = z.object({
  sites: z.object({ A: z.array(z.string().max(8)).max(60), B: z.array(z.string().max(8)).max(60), X: z.array(z.string().max(8)).max(20) }),
  activeSite: site,
  mixing: z.object({ A: z.number().positive().max(0.5).nullable(), B: z.number().positive().max(0.5).nullable(), X: z.number().positive().max(0.5).nullable() }),
  double: z.boolean(),
  vacancyOrdered: z.boolean(),
  layered: z.boolean(),
  maxElements: z.number().int().min(3).max(8),
  oxidation: z.enum(['common', 'icsd', 'all']),
  tolerance: range.nullable(),
  tauMax: z.number().nullable(),
  /** Oxidation states set by hand, as typed ("Sn:2, Dy:2"); absent in designs kept before it existed. */
  statesText: z.string().max(500).optional(),
});

/** The shortlist: candidates by id with the user's notes. */
export const shortlistSchema = z.array(z.object({ candidateId: z.number().int().positive(), screenId: z.number().int().positive(), note: z.string().max(2000) })).max(5000);

export type Design = z.infer<typeof designSchema>;
export type ShortlistEntry = z.infer<typeof shortlistSchema>[number];

