package sfu

import "time"

// Layer is a simulcast spatial layer: 0 is the lowest resolution, NumLayers-1 the highest.
type Layer int8

// LayerOff means no layer: nothing is forwarded.
const LayerOff Layer = -1

// NumLayers is the number of simulcast layers a publisher sends (RIDs q, h, f).
const NumLayers = 3

// String returns the RID Jishitong clients use for the layer.
func (l Layer) String() string {
	switch l {
	case 0:
		return "q"
	case 1:
		return "h"
	case 2:
		return "f"
	default:
		return "off"
	}
}

// valid reports whether l names a real layer.
func (l Layer) valid() bool { return l >= 0 && l < NumLayers }

// LayerFromRID maps a simulcast RID (RFC 8851) to a layer. Jishitong clients send "q", "h"
// and "f"; the names "l", "m" and the numeric "0".."2" are accepted as well.
func LayerFromRID(rid string) Layer {
	switch rid {
	case "q", "l", "0":
		return 0
	case "h", "m", "1":
		return 1
	case "f", "2":
		return 2
	default:
		return LayerOff
	}
}

// PacketMeta is what the forwarding path needs to know about one incoming RTP packet.
// Arrival is injected by the caller; the hot path never reads the clock itself.
type PacketMeta struct {
	SSRC     uint32
	Layer    Layer
	Seq      uint16
	TS       uint32
	Marker   bool
	Keyframe bool // the packet starts a keyframe (codec-specific detection by the caller)
	Arrival  time.Time
}

// Translated is the rewritten sequence number and timestamp for one forwarded packet.
type Translated struct {
	Seq    uint16
	TS     uint32
	Marker bool
	// Rebased is true for the first packet after a layer switch, pause or resync.
	Rebased bool
}
