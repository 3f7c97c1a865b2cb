import type { JSX } from 'solid-js';

/**
 * Inline icons (24×24, stroked with currentColor) so they follow the theme and
 * the text size. Decorative by default: the control around them carries the label.
 */
function Icon(props: { children: JSX.Element; size?: number }) {
  return (
    <svg
      class="icon"
      width={props.size ?? 20}
      height={props.size ?? 20}
      viewBox="0 0 24 24"
      fill="none"
      stroke="currentColor"
      stroke-width="1.8"
      stroke-linecap="round"
      stroke-linejoin="round"
      aria-hidden="true"
    >
      {props.children}
    </svg>
  );
}

type IconProps = { size?: number };

/** The product mark: an amphitheatre's rows around the speaker. Same drawing as public/icons/icon.svg. */
export function PlenaryMark(props: IconProps) {
  return (
    <svg class="mark" width={props.size ?? 32} height={props.size ?? 32} viewBox="0 0 64 64" aria-hidden="true">
      <rect width="64" height="64" rx="15" fill="var(--color-brand)" />
      <g transform="translate(0 -3)">
        <g fill="none" stroke="#fff" stroke-linecap="round" stroke-width="4.5">
          <path d="M14 40a18 18 0 0 1 36 0" opacity=".55" />
          <path d="M21.5 40a10.5 10.5 0 0 1 21 0" opacity=".8" />
          <path d="M14 48h36" />
        </g>
        <circle cx="32" cy="40" r="4.5" fill="var(--color-accent)" />
      </g>
    </svg>
  );
}

export const MenuIcon = (p: IconProps) => <Icon size={p.size}><path d="M4 7h16M4 12h16M4 17h16" /></Icon>;
export const CloseIcon = (p: IconProps) => <Icon size={p.size}><path d="M6 6l12 12M18 6L6 18" /></Icon>;
export const SunIcon = (p: IconProps) => (
  <Icon size={p.size}>
    <circle cx="12" cy="12" r="4" />
    <path d="M12 2.5v2M12 19.5v2M4.6 4.6l1.4 1.4M18 18l1.4 1.4M2.5 12h2M19.5 12h2M4.6 19.4L6 18M18 6l1.4-1.4" />
  </Icon>
);
export const MoonIcon = (p: IconProps) => <Icon size={p.size}><path d="M20 14.5A8 8 0 0 1 9.5 4a8 8 0 1 0 10.5 10.5z" /></Icon>;
export const CalendarIcon = (p: IconProps) => (
  <Icon size={p.size}><rect x="3.5" y="5" width="17" height="15" rx="2.5" /><path d="M3.5 10h17M8 3v4M16 3v4" /></Icon>
);
export const TicketIcon = (p: IconProps) => (
  <Icon size={p.size}>
    <path d="M3.5 8.5V6.5a1.5 1.5 0 0 1 1.5-1.5h14a1.5 1.5 0 0 1 1.5 1.5v2a3.5 3.5 0 0 0 0 7v2a1.5 1.5 0 0 1-1.5 1.5H5a1.5 1.5 0 0 1-1.5-1.5v-2a3.5 3.5 0 0 0 0-7z" />
    <path d="M14.5 5v3M14.5 11v2M14.5 16v3" />
  </Icon>
);
export const StageIcon = (p: IconProps) => (
  <Icon size={p.size}><rect x="3" y="4" width="18" height="12" rx="2" /><path d="M8 20h8M12 16v4M10 8.5v4l3.5-2z" /></Icon>
);
export const ShieldIcon = (p: IconProps) => (
  <Icon size={p.size}><path d="M12 3l7.5 3v5.5c0 4.5-3.2 8.2-7.5 9.5-4.3-1.3-7.5-5-7.5-9.5V6z" /><path d="M9 12l2 2 4-4" /></Icon>
);
export const CompassIcon = (p: IconProps) => (
  <Icon size={p.size}><circle cx="12" cy="12" r="9" /><path d="M15.5 8.5l-2 5-5 2 2-5z" /></Icon>
);
export const CircleIcon = (p: IconProps) => <Icon size={p.size}><circle cx="12" cy="12" r="7" /></Icon>;
export const CheckIcon = (p: IconProps) => <Icon size={p.size}><path d="M5 12.5l4.5 4.5L19 7.5" /></Icon>;
export const AlertIcon = (p: IconProps) => (
  <Icon size={p.size}><circle cx="12" cy="12" r="9" /><path d="M12 7.5v5.5M12 16.5v.01" /></Icon>
);
export const EyeIcon = (p: IconProps) => (
  <Icon size={p.size}><path d="M2.5 12S6 5.5 12 5.5 21.5 12 21.5 12 18 18.5 12 18.5 2.5 12 2.5 12z" /><circle cx="12" cy="12" r="3" /></Icon>
);
export const EyeOffIcon = (p: IconProps) => (
  <Icon size={p.size}>
    <path d="M10 5.8A9.6 9.6 0 0 1 12 5.5c6 0 9.5 6.5 9.5 6.5a17 17 0 0 1-2.6 3.4M6.3 7.3C3.9 9 2.5 12 2.5 12S6 18.5 12 18.5c1.6 0 3-.4 4.2-1.1M3 3l18 18" />
    <path d="M9.9 9.9a3 3 0 0 0 4.2 4.2" />
  </Icon>
);
export const ArrowRightIcon = (p: IconProps) => <Icon size={p.size}><path d="M5 12h14M13 6l6 6-6 6" /></Icon>;
