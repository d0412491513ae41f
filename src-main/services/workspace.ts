/**
 * The user's work between sessions, kept in the library file (not in page memory): the design being
 * edited and the shortlist with notes. A reload, another tab or a restart of the server finds them.
 */
import { designSchema, shortlistSchema, type Design, type ShortlistEntry } from '../../shared/api/contract.js';
import type { WorkspaceState } from '../../shared/api/types.js';
import type { Library } from '../library/index.js';

const DESIGN = 'design';
const SHORTLIST = 'shortlist';

export class WorkspaceService {
  constructor(private readonly library: Library) {}

  /** The kept design and shortlist; a kept value that no longer validates is dropped, not trusted. */
  state(): WorkspaceState {
    const design = designSchema.safeParse(this.library.state(DESIGN));
    const entries = shortlistSchema.safeParse(this.library.state(SHORTLIST));
    const shortlist = (entries.success ? entries.data : []).flatMap((e) => {
      const stored = this.library.candidate(e.candidateId);
      return stored ? [{ ...stored.row, note: e.note, screenId: stored.screenId }] : []; // a removed screen takes its candidates
    });
    return { design: design.success ? design.data : null, shortlist };
  }

  saveDesign(design: Design): void {
    this.library.setState(DESIGN, design);
  }

  saveShortlist(entries: readonly ShortlistEntry[]): void {
    this.library.setState(SHORTLIST, entries);
  }
}
