/** The event editor's tabs after /organize/events/:id/, apart from its own module so the route table can name them without loading the editor. */
export const EDITOR_TABS = ['details', 'agenda', 'speakers', 'team', 'visibility'] as const;
