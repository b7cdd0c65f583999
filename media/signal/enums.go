package signal

// enumName returns names[v], or "unknown" for values outside the table.
func enumName[T ~uint8](names []string, v T) string {
	if int(v) < len(names) {
		return names[v]
	}
	return names[0]
}

// enumMarshal refuses the Unknown zero value so the server never sends it.
func enumMarshal[T ~uint8](what string, names []string, v T) ([]byte, error) {
	if v == 0 || int(v) >= len(names) {
		return nil, invalid(what, "unknown value %d", v)
	}
	return []byte(names[v]), nil
}

// enumParse accepts only the exact names after the Unknown zero value.
func enumParse[T ~uint8](what string, names []string, b []byte, v *T) error {
	for i := 1; i < len(names); i++ {
		if string(b) == names[i] {
			*v = T(i)
			return nil
		}
	}
	return invalid(what, "unknown value %q", truncate(string(b), 32))
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

// Kind is a media kind, as in RTCRtpTransceiver.kind.
type Kind uint8

// Kinds.
const (
	KindUnknown Kind = iota
	KindAudio
	KindVideo
)

var kindNames = []string{"unknown", "audio", "video"}

// String returns the wire name.
func (k Kind) String() string { return enumName(kindNames, k) }

// MarshalText implements encoding.TextMarshaler.
func (k Kind) MarshalText() ([]byte, error) { return enumMarshal("kind", kindNames, k) }

// UnmarshalText implements encoding.TextUnmarshaler.
func (k *Kind) UnmarshalText(b []byte) error { return enumParse("kind", kindNames, b, k) }

// Source is what a published track captures.
type Source uint8

// Sources.
const (
	SourceUnknown Source = iota
	SourceCamera
	SourceMicrophone
	SourceScreen
	SourceScreenAudio
)

var sourceNames = []string{"unknown", "camera", "microphone", "screen", "screenAudio"}

// String returns the wire name.
func (s Source) String() string { return enumName(sourceNames, s) }

// MarshalText implements encoding.TextMarshaler.
func (s Source) MarshalText() ([]byte, error) { return enumMarshal("source", sourceNames, s) }

// UnmarshalText implements encoding.TextUnmarshaler.
func (s *Source) UnmarshalText(b []byte) error { return enumParse("source", sourceNames, b, s) }

// Kind returns the media kind a source produces.
func (s Source) Kind() Kind {
	switch s {
	case SourceCamera, SourceScreen:
		return KindVideo
	case SourceMicrophone, SourceScreenAudio:
		return KindAudio
	}
	return KindUnknown
}

// Quality is a simulcast quality level, independent of the publisher's rids.
type Quality uint8

// Qualities, lowest first.
const (
	QualityUnknown Quality = iota
	QualityLow
	QualityMedium
	QualityHigh
)

var qualityNames = []string{"unknown", "low", "medium", "high"}

// String returns the wire name.
func (q Quality) String() string { return enumName(qualityNames, q) }

// MarshalText implements encoding.TextMarshaler.
func (q Quality) MarshalText() ([]byte, error) { return enumMarshal("quality", qualityNames, q) }

// UnmarshalText implements encoding.TextUnmarshaler.
func (q *Quality) UnmarshalText(b []byte) error { return enumParse("quality", qualityNames, b, q) }

// NoticeKind is the subject of a server notice.
type NoticeKind uint8

// Notice kinds.
const (
	NoticeUnknown NoticeKind = iota
	NoticeMutedByHost
	NoticeUnmuteRequested
	NoticeRemoved
	NoticeMeetingEnded
	NoticeLocked
	NoticeUnlocked
	NoticeReconnectWindow
	NoticeReconnected
)

var noticeNames = []string{"unknown", "mutedByHost", "unmuteRequested", "removed", "meetingEnded",
	"locked", "unlocked", "reconnectWindow", "reconnected"}

// String returns the wire name.
func (n NoticeKind) String() string { return enumName(noticeNames, n) }

// MarshalText implements encoding.TextMarshaler.
func (n NoticeKind) MarshalText() ([]byte, error) { return enumMarshal("kind", noticeNames, n) }

// UnmarshalText implements encoding.TextUnmarshaler.
func (n *NoticeKind) UnmarshalText(b []byte) error { return enumParse("kind", noticeNames, b, n) }

// ByeReason says why the server ends the session.
type ByeReason uint8

// Bye reasons.
const (
	ByeUnknown ByeReason = iota
	ByeLeft
	ByeRemoved
	ByeMeetingEnded
	ByeReplaced
	ByeShutdown
	// ByeAccountDisabled ends the session of a member whose account was frozen or
	// deleted, or whose enterprise was frozen.
	ByeAccountDisabled
	// ByeRoleChanged ends the session of a member whose account role changed; they
	// sign in again and rejoin with the new role's rights.
	ByeRoleChanged
)

var byeNames = []string{"unknown", "left", "removed", "meetingEnded", "replaced", "shutdown", "accountDisabled", "roleChanged"}

// String returns the wire name.
func (r ByeReason) String() string { return enumName(byeNames, r) }

// MarshalText implements encoding.TextMarshaler.
func (r ByeReason) MarshalText() ([]byte, error) { return enumMarshal("reason", byeNames, r) }

// UnmarshalText implements encoding.TextUnmarshaler.
func (r *ByeReason) UnmarshalText(b []byte) error { return enumParse("reason", byeNames, b, r) }
