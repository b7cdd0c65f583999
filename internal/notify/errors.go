package notify

import "errors"

// ErrInvalidConfig is wrapped by every configuration error (a bad --smtp-url, --public-url
// or From address). Its messages never contain the SMTP password.
var ErrInvalidConfig = errors.New("notify: invalid configuration")
