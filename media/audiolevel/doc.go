// Package audiolevel turns the RFC 6464 audio levels that publishers put in their Opus RTP
// packets into per-track speaking flags and one meeting-wide active speaker.
//
// It has two halves that share nothing but atomics:
//
//   - The hot path, on each audio track's forwarding goroutine: Parse reads the level from an
//     already parsed rtp.Header, and Meter.ObserveRTP adds the frame to the track's Meter.
//     Neither allocates, locks, logs or reads the clock; the arrival time is passed in.
//   - The control side, on the meeting's owner goroutine: Detector.Tick, every
//     DefaultTickInterval or so, reads every Meter, decides who is speaking with hysteresis
//     and who the active speaker is with resistance to flapping, and returns only what
//     changed since the previous Tick.
//
// A track that sends no packets (Opus DTX, a stalled publisher) or no audio-level extension
// reads as silent: a Meter only accumulates voiced time, and the Detector divides it by the
// wall-clock time between two Ticks.
//
// The speaking hysteresis follows LiveKit's pkg/sfu/audio AudioLevel (a level threshold, a
// minimum share of voiced time, exponential smoothing); the per-track noise floor and the
// rule that a challenger must out-score the dominant speaker for a while before taking over
// follow Jitsi's DominantSpeakerIdentification (after Volfin & Cohen, "Dominant Speaker
// Identification for Multipoint Videoconferencing"). The code is our own.
package audiolevel
