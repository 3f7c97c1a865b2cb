/** /organize: the organizer's home (client/src/pages/organize). */
export { OrganizeHome as OrganizePage } from './organize/OrganizeHome.tsx';
