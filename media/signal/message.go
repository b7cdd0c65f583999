package signal

import (
	"fmt"
	"unicode/utf8"

	"github.com/jishitong/jishitong/internal/layout"
)

// Version is the protocol version this package speaks.
const Version = 2

// Protocol limits (docs/rtc-protocol.md §3).
const (
	MaxFrameBytes       = 64 << 10 // client-to-server frame
	MaxServerFrameBytes = 1 << 20  // server-to-client frame (joined carries the meeting state)
	MaxSDPBytes         = 32 << 10
	MaxCandidateBytes   = 1 << 10
	MaxTokenBytes       = 4 << 10
	MaxIDBytes          = 64
	MaxLayers           = 3
	MaxSubscriptions    = 256
	MaxWidth            = 7680
	MaxHeight           = 4320
	MaxBitrate          = 50_000_000
	MaxFramerate        = 120
	MaxTimestamp        = 1<<53 - 1 // largest integer a JavaScript number holds exactly
	// MaxChatText is the longest chat message in characters (the meeting owner's
	// meeting.MaxChatLength).
	MaxChatText = 2000
)

// Type is a message type, the envelope's "type".
type Type uint8

// Message types. Candidates go both ways; the rest go one way: the client always
// offers and the server always answers (docs/rtc-protocol.md §1).
const (
	TypeUnknown Type = iota
	// client to server
	TypeJoin
	TypePublish
	TypeUnpublish
	TypeSubscribe
	TypeMute
	TypePing
	TypeLeave
	TypeOffer
	TypeRaiseHand
	TypeSendChat
	// both ways
	TypeCandidate
	// server to client
	TypeAnswer
	TypeOfferRequest
	TypeJoined
	TypeTrackPublished
	TypeTrackUnpublished
	TypeSubscribed
	TypeNotice
	TypePong
	TypeError
	TypeBye
)

var typeNames = []string{"unknown", "join", "publish", "unpublish", "subscribe", "mute", "ping", "leave",
	"offer", "raiseHand", "sendChat", "candidate", "answer", "offerRequest",
	"joined", "trackPublished", "trackUnpublished", "subscribed", "notice", "pong", "error", "bye"}

// String returns the wire name.
func (t Type) String() string { return enumName(typeNames, t) }

// FromClient reports whether a client may send this type.
func (t Type) FromClient() bool { return t >= TypeJoin && t <= TypeCandidate }

// FromServer reports whether the server may send this type.
func (t Type) FromServer() bool { return t >= TypeCandidate && t <= TypeBye }

// maxFrame is the largest frame allowed for t's direction.
func (t Type) maxFrame() int {
	if t.FromClient() {
		return MaxFrameBytes
	}
	return MaxServerFrameBytes
}

// NewPayload returns a new zero payload of message type t, or nil for a type that
// is not a message. It is the table from type to payload that Decode uses and that
// internal/contracts reads to generate the TypeScript types of the protocol.
func NewPayload(t Type) Payload {
	switch t {
	case TypeJoin:
		return &Join{}
	case TypePublish:
		return &Publish{}
	case TypeUnpublish:
		return &Unpublish{}
	case TypeSubscribe:
		return &Subscribe{}
	case TypeMute:
		return &Mute{}
	case TypePing:
		return &Ping{}
	case TypeLeave:
		return &Leave{}
	case TypeOffer:
		return &Offer{}
	case TypeRaiseHand:
		return &RaiseHand{}
	case TypeSendChat:
		return &SendChat{}
	case TypeAnswer:
		return &Answer{}
	case TypeCandidate:
		return &Candidate{}
	case TypeOfferRequest:
		return &OfferRequest{}
	case TypeJoined:
		return &Joined{}
	case TypeTrackPublished:
		return &TrackPublished{}
	case TypeTrackUnpublished:
		return &TrackUnpublished{}
	case TypeSubscribed:
		return &Subscribed{}
	case TypeNotice:
		return &Notice{}
	case TypePong:
		return &Pong{}
	case TypeError:
		return &ErrorMessage{}
	case TypeBye:
		return &Bye{}
	}
	return nil
}

// Message is one protocol message: the client's optional id and a typed payload.
type Message struct {
	// ID is the client's message id, echoed as refId in an error answering it;
	// empty when absent.
	ID string
	// Data is the payload; its concrete type decides the envelope's "type".
	Data Payload
}

// Type returns the message type, TypeUnknown for a nil payload.
func (m Message) Type() Type {
	if m.Data == nil {
		return TypeUnknown
	}
	return m.Data.MessageType()
}

// Payload is the "data" object of one message type.
type Payload interface {
	// MessageType returns the envelope type this payload travels under.
	MessageType() Type
	// validate checks required fields, enums, sizes and ranges and normalizes
	// empty slices to nil so that decode(encode(m)) == m.
	validate() error
}

// ParticipantID identifies a participant within a meeting; it survives a resume. It
// is the one participant ID of every plane (layout.ParticipantID).
type ParticipantID = layout.ParticipantID

// TrackID is the server-assigned id of a published track.
type TrackID string

// Join is the first client message: it authenticates the connection.
type Join struct {
	Token       string  `json:"token"`
	ResumeToken string  `json:"resumeToken,omitempty"`
	Device      *Device `json:"device,omitempty"`
}

// Device describes the client software, for logs and diagnostics only.
type Device struct {
	Client    string `json:"client,omitempty"` // "web", "loadtool", ...
	Version   string `json:"version,omitempty"`
	UserAgent string `json:"userAgent,omitempty"`
	OS        string `json:"os,omitempty"`
}

// Offer is the client's SDP offer for its peer connection: the first one, every
// change of what it sends or receives, and ICE restarts.
type Offer struct {
	SDP string `json:"sdp"`
}

// Answer is the server's SDP answer to an Offer.
type Answer struct {
	SDP string `json:"sdp"`
}

// OfferRequest asks the client to add Audio and Video receive-only transceivers and
// then offer (again): the server has tracks to send (or stopped sending one) and,
// since it never offers itself, needs the client's offer to carry them. Zero counts
// ask for an offer only.
type OfferRequest struct {
	Audio int `json:"audio,omitempty"`
	Video int `json:"video,omitempty"`
}

// MaxOfferRequest bounds the transceivers one OfferRequest asks for per kind.
const MaxOfferRequest = 256

// Candidate is one trickled ICE candidate (RFC 8838); a nil Candidate (JSON null
// or absent) or an empty one marks the end of candidates.
type Candidate struct {
	Candidate        *string `json:"candidate"`
	SDPMid           *string `json:"sdpMid,omitempty"`
	SDPMLineIndex    *uint16 `json:"sdpMLineIndex,omitempty"`
	UsernameFragment string  `json:"usernameFragment,omitempty"`
}

// EndOfCandidates reports whether c marks the end of candidates.
func (c *Candidate) EndOfCandidates() bool { return c.Candidate == nil || *c.Candidate == "" }

// Layer is one simulcast encoding of a video track (RFC 8853 rid).
type Layer struct {
	RID          string  `json:"rid"`
	Quality      Quality `json:"quality"`
	MaxWidth     int     `json:"maxWidth,omitempty"`
	MaxHeight    int     `json:"maxHeight,omitempty"`
	MaxBitrate   int     `json:"maxBitrate,omitempty"`
	MaxFramerate int     `json:"maxFramerate,omitempty"`
}

// Publish announces a track the client is about to send on its publisher connection.
type Publish struct {
	CID    string  `json:"cid"` // the client's own track id, echoed in trackPublished
	MID    string  `json:"mid,omitempty"`
	Kind   Kind    `json:"kind"`
	Source Source  `json:"source"`
	Muted  bool    `json:"muted,omitempty"`
	Layers []Layer `json:"layers,omitempty"`
}

// Unpublish stops one of the client's tracks.
type Unpublish struct {
	TrackID TrackID `json:"trackId"`
}

// Subscribe replaces the client's preferences for the listed tracks; tracks not
// listed keep their previous preference.
type Subscribe struct {
	Tracks []TrackPreference `json:"tracks"`
}

// TrackPreference is the client's wish for one remote track: off, or on with a
// quality cap and/or the size of the pane it is shown in.
type TrackPreference struct {
	TrackID    TrackID `json:"trackId"`
	Enabled    bool    `json:"enabled"`
	MaxQuality Quality `json:"maxQuality,omitempty"`
	Width      int     `json:"width,omitempty"`
	Height     int     `json:"height,omitempty"`
}

// Mute mutes or unmutes one of the client's own tracks.
type Mute struct {
	TrackID TrackID `json:"trackId"`
	Muted   bool    `json:"muted"`
}

// Ping is an application-level ping; the server answers pong with the same ts.
type Ping struct {
	TS int64 `json:"ts,omitempty"`
}

// Leave ends the session on purpose: no resume window is kept.
type Leave struct{}

// RaiseHand raises (or lowers) the participant's own hand.
type RaiseHand struct {
	Raised bool `json:"raised"`
}

// SendChat sends a chat message: to everyone, privately to the hosts (ToHosts), or
// from a host privately to one participant (To).
type SendChat struct {
	Text    string        `json:"text"`
	ToHosts bool          `json:"toHosts,omitempty"`
	To      ParticipantID `json:"to,omitempty"`
}

// Joined answers a successful join.
type Joined struct {
	ParticipantID  ParticipantID `json:"participantId"`
	ResumeToken    string        `json:"resumeToken"`
	Resumed        bool          `json:"resumed,omitempty"`
	Protocol       int           `json:"protocol"`
	ICEServers     []ICEServer   `json:"iceServers,omitempty"`
	PingIntervalMS int           `json:"pingIntervalMs,omitempty"`
	// StateToken lets a participant without an account (a guest) follow the meeting's
	// state over GraphQL (the meetingState subscription, the meetingChat query) while
	// they are on its roster: the connection_init payload's meetingToken.
	StateToken string `json:"stateToken,omitempty"`
	// OfferRequest, on a first join into a room with tracks, asks for receive-only
	// m-lines in the client's first offer, as an offerRequest message would, saving
	// a round trip.
	OfferRequest *OfferRequest `json:"offerRequest,omitempty"`
}

// ICEServer is one STUN/TURN server, as in RTCIceServer.
type ICEServer struct {
	URLs       []string `json:"urls"`
	Username   string   `json:"username,omitempty"`
	Credential string   `json:"credential,omitempty"`
}

// TrackPublished tells that a track is available (or confirms the client's own
// publish, then with its CID).
type TrackPublished struct {
	ParticipantID ParticipantID `json:"participantId"`
	TrackID       TrackID       `json:"trackId"`
	CID           string        `json:"cid,omitempty"`
	Kind          Kind          `json:"kind"`
	Source        Source        `json:"source"`
	Muted         bool          `json:"muted,omitempty"`
	Layers        []Layer       `json:"layers,omitempty"`
}

// TrackUnpublished tells that a track is gone.
type TrackUnpublished struct {
	ParticipantID ParticipantID `json:"participantId"`
	TrackID       TrackID       `json:"trackId"`
}

// Subscribed reports what the server now forwards for the listed tracks.
type Subscribed struct {
	Tracks []SubscribedTrack `json:"tracks"`
}

// SubscribedTrack is the effective subscription of one track.
type SubscribedTrack struct {
	TrackID TrackID `json:"trackId"`
	Enabled bool    `json:"enabled"`
	Quality Quality `json:"quality,omitempty"`
}

// Notice is a server notice about the participant, a track or the meeting.
type Notice struct {
	Kind          NoticeKind    `json:"kind"`
	ParticipantID ParticipantID `json:"participantId,omitempty"`
	TrackID       TrackID       `json:"trackId,omitempty"`
	Message       string        `json:"message,omitempty"`
	Seconds       int           `json:"seconds,omitempty"`
}

// Pong answers ping.
type Pong struct {
	TS int64 `json:"ts,omitempty"`
}

// ErrorMessage is an error frame. It answers the client message RefID, if any.
type ErrorMessage struct {
	Code    Code   `json:"code"`
	Message string `json:"message,omitempty"`
	RefID   string `json:"refId,omitempty"`
}

// Bye is the last message before the server closes the connection.
type Bye struct {
	Reason  ByeReason `json:"reason"`
	Message string    `json:"message,omitempty"`
}

// MessageType implementations.
func (*Join) MessageType() Type             { return TypeJoin }
func (*Publish) MessageType() Type          { return TypePublish }
func (*Unpublish) MessageType() Type        { return TypeUnpublish }
func (*Subscribe) MessageType() Type        { return TypeSubscribe }
func (*Mute) MessageType() Type             { return TypeMute }
func (*Ping) MessageType() Type             { return TypePing }
func (*Leave) MessageType() Type            { return TypeLeave }
func (*Offer) MessageType() Type            { return TypeOffer }
func (*Answer) MessageType() Type           { return TypeAnswer }
func (*RaiseHand) MessageType() Type        { return TypeRaiseHand }
func (*SendChat) MessageType() Type         { return TypeSendChat }
func (*Candidate) MessageType() Type        { return TypeCandidate }
func (*OfferRequest) MessageType() Type     { return TypeOfferRequest }
func (*Joined) MessageType() Type           { return TypeJoined }
func (*TrackPublished) MessageType() Type   { return TypeTrackPublished }
func (*TrackUnpublished) MessageType() Type { return TypeTrackUnpublished }
func (*Subscribed) MessageType() Type       { return TypeSubscribed }
func (*Notice) MessageType() Type           { return TypeNotice }
func (*Pong) MessageType() Type             { return TypePong }
func (*ErrorMessage) MessageType() Type     { return TypeError }
func (*Bye) MessageType() Type              { return TypeBye }

// --- validation ---

// checkString requires min..max bytes of valid UTF-8.
func checkString(field, s string, minLen, maxLen int) error {
	if len(s) < minLen {
		if minLen == 1 {
			return invalid(field, "required")
		}
		return invalid(field, "shorter than %d bytes", minLen)
	}
	if len(s) > maxLen {
		return &Error{Code: CodeInvalidField, Message: fmt.Sprintf("%s: longer than %d bytes", field, maxLen)}
	}
	if !utf8.ValidString(s) {
		return invalid(field, "not UTF-8")
	}
	return nil
}

// checkToken requires an identifier: 1..max bytes of [A-Za-z0-9._~:-].
func checkToken(field, s string, maxLen int, required bool) error {
	if s == "" {
		if required {
			return invalid(field, "required")
		}
		return nil
	}
	if len(s) > maxLen {
		return invalid(field, "longer than %d bytes", maxLen)
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '~' || c == ':' || c == '-') {
			return invalid(field, "character %q not allowed", c)
		}
	}
	return nil
}

func checkRange(field string, v, lo, hi int64) error {
	if v < lo || v > hi {
		return invalid(field, "%d out of range %d..%d", v, lo, hi)
	}
	return nil
}

func checkRID(field, s string) error {
	// RFC 8851 §10: rid-id = 1*(alpha-numeric / "-" / "_"); we cap it at 16.
	if s == "" || len(s) > 16 {
		return invalid(field, "must be 1..16 characters")
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return invalid(field, "character %q not allowed", c)
		}
	}
	return nil
}

func (p *Join) validate() error {
	if err := checkString("token", p.Token, 1, MaxTokenBytes); err != nil {
		return err
	}
	if err := checkToken("resumeToken", p.ResumeToken, 256, false); err != nil {
		return err
	}
	if d := p.Device; d != nil {
		for _, f := range []struct {
			name, v string
			max     int
		}{{"device.client", d.Client, 32}, {"device.version", d.Version, 32}, {"device.userAgent", d.UserAgent, 512}, {"device.os", d.OS, 64}} {
			if err := checkString(f.name, f.v, 0, f.max); err != nil {
				return err
			}
		}
	}
	return nil
}

func (p *Offer) validate() error  { return checkString("sdp", p.SDP, 1, MaxSDPBytes) }
func (p *Answer) validate() error { return checkString("sdp", p.SDP, 1, MaxSDPBytes) }

func (p *OfferRequest) validate() error {
	if err := checkRange("audio", int64(p.Audio), 0, MaxOfferRequest); err != nil {
		return err
	}
	return checkRange("video", int64(p.Video), 0, MaxOfferRequest)
}

func (p *Candidate) validate() error {
	if p.Candidate != nil {
		if err := checkString("candidate", *p.Candidate, 0, MaxCandidateBytes); err != nil {
			return err
		}
		if *p.Candidate != "" && p.SDPMid == nil && p.SDPMLineIndex == nil {
			// W3C webrtc-pc: a candidate needs sdpMid or sdpMLineIndex.
			return invalid("sdpMid", "sdpMid or sdpMLineIndex required")
		}
	}
	if p.SDPMid != nil {
		if err := checkString("sdpMid", *p.SDPMid, 0, 32); err != nil {
			return err
		}
	}
	if p.SDPMLineIndex != nil {
		if err := checkRange("sdpMLineIndex", int64(*p.SDPMLineIndex), 0, 1023); err != nil {
			return err
		}
	}
	return checkString("usernameFragment", p.UsernameFragment, 0, 256)
}

func validateLayers(kind Kind, layers *[]Layer) error {
	if len(*layers) == 0 {
		*layers = nil
		return nil
	}
	if kind != KindVideo {
		return invalid("layers", "only video tracks have layers")
	}
	if len(*layers) > MaxLayers {
		return invalid("layers", "at most %d", MaxLayers)
	}
	var rids [MaxLayers]string
	var seen [4]bool
	for i, l := range *layers {
		if err := checkRID("layers.rid", l.RID); err != nil {
			return err
		}
		for _, r := range rids[:i] {
			if r == l.RID {
				return invalid("layers.rid", "duplicate %q", l.RID)
			}
		}
		rids[i] = l.RID
		if l.Quality == QualityUnknown || l.Quality > QualityHigh {
			return invalid("layers.quality", "required")
		}
		if seen[l.Quality] {
			return invalid("layers.quality", "duplicate %s", l.Quality)
		}
		seen[l.Quality] = true
		if err := checkRange("layers.maxWidth", int64(l.MaxWidth), 0, MaxWidth); err != nil {
			return err
		}
		if err := checkRange("layers.maxHeight", int64(l.MaxHeight), 0, MaxHeight); err != nil {
			return err
		}
		if err := checkRange("layers.maxBitrate", int64(l.MaxBitrate), 0, MaxBitrate); err != nil {
			return err
		}
		if err := checkRange("layers.maxFramerate", int64(l.MaxFramerate), 0, MaxFramerate); err != nil {
			return err
		}
	}
	return nil
}

func checkTrack(kind Kind, source Source) error {
	if kind == KindUnknown {
		return invalid("kind", "required")
	}
	if source == SourceUnknown {
		return invalid("source", "required")
	}
	if source.Kind() != kind {
		return invalid("source", "%s is not a %s source", source, kind)
	}
	return nil
}

func (p *Publish) validate() error {
	if err := checkToken("cid", p.CID, MaxIDBytes, true); err != nil {
		return err
	}
	if err := checkToken("mid", p.MID, 32, false); err != nil {
		return err
	}
	if err := checkTrack(p.Kind, p.Source); err != nil {
		return err
	}
	return validateLayers(p.Kind, &p.Layers)
}

func (p *Unpublish) validate() error {
	return checkToken("trackId", string(p.TrackID), MaxIDBytes, true)
}

func (p *Subscribe) validate() error {
	if len(p.Tracks) == 0 {
		return invalid("tracks", "required")
	}
	if len(p.Tracks) > MaxSubscriptions {
		return invalid("tracks", "at most %d", MaxSubscriptions)
	}
	seen := make(map[TrackID]struct{}, len(p.Tracks))
	for _, t := range p.Tracks {
		if err := checkToken("tracks.trackId", string(t.TrackID), MaxIDBytes, true); err != nil {
			return err
		}
		if _, dup := seen[t.TrackID]; dup {
			return invalid("tracks.trackId", "duplicate %q", t.TrackID)
		}
		seen[t.TrackID] = struct{}{}
		if err := checkRange("tracks.width", int64(t.Width), 0, MaxWidth); err != nil {
			return err
		}
		if err := checkRange("tracks.height", int64(t.Height), 0, MaxHeight); err != nil {
			return err
		}
	}
	return nil
}

func (p *Mute) validate() error {
	return checkToken("trackId", string(p.TrackID), MaxIDBytes, true)
}

func (p *RaiseHand) validate() error { return nil }

func (p *SendChat) validate() error {
	if err := checkString("text", p.Text, 1, 4*MaxChatText); err != nil {
		return err
	}
	if n := utf8.RuneCountInString(p.Text); n > MaxChatText {
		return invalid("text", "a chat message has at most %d characters (this one has %d)", MaxChatText, n)
	}
	return checkToken("to", string(p.To), MaxIDBytes, false)
}

func (p *Ping) validate() error  { return checkRange("ts", p.TS, 0, MaxTimestamp) }
func (p *Pong) validate() error  { return checkRange("ts", p.TS, 0, MaxTimestamp) }
func (p *Leave) validate() error { return nil }

func (p *Joined) validate() error {
	if err := checkToken("participantId", string(p.ParticipantID), MaxIDBytes, true); err != nil {
		return err
	}
	if err := checkToken("resumeToken", p.ResumeToken, 256, true); err != nil {
		return err
	}
	if p.Protocol != Version {
		return invalid("protocol", "must be %d", Version)
	}
	if p.OfferRequest != nil {
		if err := p.OfferRequest.validate(); err != nil {
			return err
		}
	}
	if err := checkRange("pingIntervalMs", int64(p.PingIntervalMS), 0, 3_600_000); err != nil {
		return err
	}
	if len(p.ICEServers) == 0 {
		p.ICEServers = nil
	}
	if len(p.ICEServers) > 16 {
		return invalid("iceServers", "at most 16")
	}
	for _, s := range p.ICEServers {
		if len(s.URLs) == 0 || len(s.URLs) > 8 {
			return invalid("iceServers.urls", "1..8 required")
		}
		for _, u := range s.URLs {
			if err := checkString("iceServers.urls", u, 1, 512); err != nil {
				return err
			}
		}
		if err := checkString("iceServers.username", s.Username, 0, 512); err != nil {
			return err
		}
		if err := checkString("iceServers.credential", s.Credential, 0, 512); err != nil {
			return err
		}
	}
	return checkString("stateToken", p.StateToken, 0, 512)
}

func (p *TrackPublished) validate() error {
	if err := checkToken("participantId", string(p.ParticipantID), MaxIDBytes, true); err != nil {
		return err
	}
	if err := checkToken("trackId", string(p.TrackID), MaxIDBytes, true); err != nil {
		return err
	}
	if err := checkToken("cid", p.CID, MaxIDBytes, false); err != nil {
		return err
	}
	if err := checkTrack(p.Kind, p.Source); err != nil {
		return err
	}
	return validateLayers(p.Kind, &p.Layers)
}

func (p *TrackUnpublished) validate() error {
	if err := checkToken("participantId", string(p.ParticipantID), MaxIDBytes, true); err != nil {
		return err
	}
	return checkToken("trackId", string(p.TrackID), MaxIDBytes, true)
}

func (p *Subscribed) validate() error {
	if len(p.Tracks) == 0 {
		p.Tracks = nil
	}
	for _, t := range p.Tracks {
		if err := checkToken("tracks.trackId", string(t.TrackID), MaxIDBytes, true); err != nil {
			return err
		}
	}
	return nil
}

func (p *Notice) validate() error {
	if p.Kind == NoticeUnknown {
		return invalid("kind", "required")
	}
	if err := checkToken("participantId", string(p.ParticipantID), MaxIDBytes, false); err != nil {
		return err
	}
	if err := checkToken("trackId", string(p.TrackID), MaxIDBytes, false); err != nil {
		return err
	}
	if err := checkString("message", p.Message, 0, 512); err != nil {
		return err
	}
	return checkRange("seconds", int64(p.Seconds), 0, 3600)
}

func (p *ErrorMessage) validate() error {
	if err := checkToken("code", string(p.Code), 64, true); err != nil {
		return err
	}
	if err := checkString("message", p.Message, 0, 512); err != nil {
		return err
	}
	return checkID("refId", p.RefID)
}

func (p *Bye) validate() error {
	if p.Reason == ByeUnknown {
		return invalid("reason", "required")
	}
	return checkString("message", p.Message, 0, 512)
}

// checkID validates a client message id: up to 64 printable ASCII characters.
func checkID(field, id string) error {
	if len(id) > MaxIDBytes {
		return invalid(field, "longer than %d bytes", MaxIDBytes)
	}
	for i := 0; i < len(id); i++ {
		if id[i] < 0x21 || id[i] > 0x7e {
			return invalid(field, "must be printable ASCII")
		}
	}
	return nil
}
