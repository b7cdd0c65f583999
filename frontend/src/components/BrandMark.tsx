import { VideoCameraFilled } from '@ant-design/icons';
import { useBrand } from '../branding/brand';

/** The logo (or a default mark in the brand colour) and the brand name. */
/** inverse: for use on a background of the brand colour (white mark, white name). */
export function BrandMark({ size = 32, showName = true, color, inverse = false }: { size?: number; showName?: boolean; color?: string; inverse?: boolean }) {
  const b = useBrand();
  return (
    <span style={{ display: 'inline-flex', alignItems: 'center', gap: 10, minWidth: 0 }}>
      {b.logoUrl ? (
        <img src={b.logoUrl} alt={b.name} style={{ height: size, maxWidth: size * 4, objectFit: 'contain' }} />
      ) : (
        <span
          aria-hidden
          style={{
            width: size,
            height: size,
            borderRadius: size / 4,
            background: inverse ? '#fff' : b.primaryColor,
            color: inverse ? b.primaryColor : '#fff',
            display: 'inline-flex',
            alignItems: 'center',
            justifyContent: 'center',
            fontSize: size * 0.55,
            flex: 'none',
          }}
        >
          <VideoCameraFilled aria-hidden />
        </span>
      )}
      {showName && (
        <span style={{ fontWeight: 600, fontSize: size * 0.5, whiteSpace: 'nowrap', overflow: 'hidden', textOverflow: 'ellipsis', color: inverse ? '#fff' : color }}>
          {b.name}
        </span>
      )}
    </span>
  );
}
