import { Box } from "@mui/material";

// Small SVG charts: no chart library, so the bundle stays small.

const W = 720;
const H = 260;
const PAD = { left: 44, right: 12, top: 12, bottom: 32 };

function scaleX(i: number, n: number): number {
  return PAD.left + (n <= 1 ? 0 : (i / (n - 1)) * (W - PAD.left - PAD.right));
}

function scaleY(alt: number): number {
  const clamped = Math.max(-10, Math.min(90, alt));
  return PAD.top + ((90 - clamped) / 100) * (H - PAD.top - PAD.bottom);
}

function hourLabel(iso: string): string {
  return iso.slice(11, 16);
}

export interface Series {
  label: string;
  values: (number | null)[];
  colour: string;
  dashed?: boolean;
}

/** Altitude against time, with night shading from the Sun's altitude. */
export function AltitudeChart({
  title,
  times,
  series,
  sunAltitudeDeg,
  minAltitudeDeg,
}: {
  title: string;
  times: string[];
  series: Series[];
  sunAltitudeDeg?: number[];
  minAltitudeDeg?: number;
}) {
  const n = times.length;
  const ticks = times.map((t, i) => ({ t, i })).filter((_, i) => i % Math.max(1, Math.round(n / 8)) === 0);
  return (
    <Box component="figure" sx={{ m: 0 }}>
      <svg viewBox={`0 0 ${W} ${H}`} width="100%" role="img" aria-label={title} style={{ maxWidth: W }}>
        <title>{title}</title>
        {sunAltitudeDeg?.map((alt, i) =>
          alt < -12 && i < n - 1 ? (
            <rect key={i} x={scaleX(i, n)} y={PAD.top} width={scaleX(i + 1, n) - scaleX(i, n) + 0.5} height={H - PAD.top - PAD.bottom} fill="#e8eaf6" />
          ) : null,
        )}
        {[0, 30, 60, 90].map((alt) => (
          <g key={alt}>
            <line x1={PAD.left} x2={W - PAD.right} y1={scaleY(alt)} y2={scaleY(alt)} stroke="#ccc" />
            <text x={PAD.left - 6} y={scaleY(alt) + 4} fontSize="11" textAnchor="end" fill="#333">
              {alt}°
            </text>
          </g>
        ))}
        {minAltitudeDeg !== undefined && (
          <line x1={PAD.left} x2={W - PAD.right} y1={scaleY(minAltitudeDeg)} y2={scaleY(minAltitudeDeg)} stroke="#c62828" strokeDasharray="4 4" />
        )}
        {ticks.map(({ t, i }) => (
          <text key={t} x={scaleX(i, n)} y={H - 10} fontSize="11" textAnchor="middle" fill="#333">
            {hourLabel(t)}
          </text>
        ))}
        {series.map((s) => {
          let d = "";
          s.values.forEach((v, i) => {
            if (v === null) return;
            d += `${d && s.values[i - 1] !== null ? "L" : "M"}${scaleX(i, n).toFixed(1)},${scaleY(v).toFixed(1)}`;
          });
          return <path key={s.label} d={d} fill="none" stroke={s.colour} strokeWidth={2} strokeDasharray={s.dashed ? "5 4" : undefined} />;
        })}
      </svg>
      <Box component="figcaption" sx={{ display: "flex", gap: 2, flexWrap: "wrap", fontSize: 13 }}>
        {series.map((s) => (
          <span key={s.label}>
            <span aria-hidden style={{ display: "inline-block", width: 14, height: 3, background: s.colour, verticalAlign: "middle", marginRight: 4 }} />
            {s.label}
          </span>
        ))}
        {sunAltitudeDeg && <span>shaded: astronomical night (UTC times)</span>}
      </Box>
    </Box>
  );
}

export interface Span {
  label: string;
  start: string;
  end: string;
  colour?: string;
}

/** Horizontal bars over a time range (a night plan). */
export function Timeline({ title, start, end, spans }: { title: string; start: string; end: string; spans: Span[] }) {
  const t0 = Date.parse(start);
  const t1 = Date.parse(end);
  const row = 26;
  const height = PAD.top + spans.length * row + PAD.bottom;
  const x = (iso: string) => PAD.left + 120 + ((Date.parse(iso) - t0) / (t1 - t0)) * (W - PAD.left - 120 - PAD.right);
  const hours: string[] = [];
  for (let t = Math.ceil(t0 / 3_600_000) * 3_600_000; t <= t1; t += 3 * 3_600_000) hours.push(new Date(t).toISOString());
  return (
    <svg viewBox={`0 0 ${W} ${height}`} width="100%" role="img" aria-label={title} style={{ maxWidth: W }}>
      <title>{title}</title>
      {hours.map((h) => (
        <g key={h}>
          <line x1={x(h)} x2={x(h)} y1={PAD.top} y2={height - PAD.bottom + 4} stroke="#ddd" />
          <text x={x(h)} y={height - 10} fontSize="11" textAnchor="middle" fill="#333">
            {hourLabel(h)}
          </text>
        </g>
      ))}
      {spans.map((s, i) => (
        <g key={`${s.label}-${i}`}>
          <text x={4} y={PAD.top + i * row + 16} fontSize="12" fill="#222">
            {s.label.length > 24 ? `${s.label.slice(0, 23)}…` : s.label}
          </text>
          <rect x={x(s.start)} y={PAD.top + i * row + 4} width={Math.max(2, x(s.end) - x(s.start))} height={row - 8} fill={s.colour ?? "#1e3a8a"} rx={3} />
        </g>
      ))}
    </svg>
  );
}

/** Horizon mask: altitude against azimuth. */
export function HorizonPlot({ points, title }: { points: { azimuthDeg: number; altitudeDeg: number }[]; title: string }) {
  const sorted = [...points].sort((a, b) => a.azimuthDeg - b.azimuthDeg);
  const x = (az: number) => PAD.left + (az / 360) * (W - PAD.left - PAD.right);
  const y = (alt: number) => PAD.top + ((90 - alt) / 90) * (H - PAD.top - PAD.bottom);
  const bottom = H - PAD.bottom;
  let d = `M${x(0)},${bottom}`;
  if (sorted.length) {
    const first = sorted[0];
    const last = sorted[sorted.length - 1];
    d += `L${x(0)},${y(first.altitudeDeg)}`;
    for (const p of sorted) d += `L${x(p.azimuthDeg)},${y(p.altitudeDeg)}`;
    d += `L${x(360)},${y(last.altitudeDeg)}`;
  }
  d += `L${x(360)},${bottom}Z`;
  return (
    <svg viewBox={`0 0 ${W} ${H}`} width="100%" role="img" aria-label={title} style={{ maxWidth: W }}>
      <title>{title}</title>
      {[0, 30, 60, 90].map((alt) => (
        <g key={alt}>
          <line x1={PAD.left} x2={W - PAD.right} y1={y(alt)} y2={y(alt)} stroke="#ccc" />
          <text x={PAD.left - 6} y={y(alt) + 4} fontSize="11" textAnchor="end" fill="#333">{alt}°</text>
        </g>
      ))}
      {[0, 90, 180, 270, 360].map((az) => (
        <text key={az} x={x(az)} y={H - 10} fontSize="11" textAnchor="middle" fill="#333">
          {["N", "E", "S", "W", "N"][az / 90]} {az}°
        </text>
      ))}
      <path d={d} fill="#8d6e63" fillOpacity={0.6} stroke="#5d4037" />
    </svg>
  );
}
