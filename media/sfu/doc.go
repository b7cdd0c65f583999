// Package sfu is the socket-free forwarding core of the Jishitong SFU: simulcast layer
// selection, RTP sequence-number/timestamp rewriting, mute gating and the copy-on-write
// subscriber set of a published track.
//
// Nothing here opens a socket, logs, allocates or takes a contended lock per packet. The
// hot path for one published track runs on one goroutine (the track's RTP reader): it calls
// Spreader.ForEach and, for every DownTrack, DownTrack.Forward then DownTrack.MarshalTo.
// Control code (layout, bandwidth estimation, host moderation) talks to the hot path only
// through atomics (Source.SetHostMuted, DownTrack.SetPaused, Selector.SetPane, ...) and
// receives keyframe requests on a buffered channel that the hot path never blocks on.
//
// The design follows the ideas of livekit's pkg/sfu forwarder and RTP munger; the code is
// our own.
package sfu
