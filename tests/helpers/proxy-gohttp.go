// SPDX-License-Identifier: LGPL-2.1-or-later
// proxy-gohttp.go - test helper: a static Go program doing one HTTP GET (stdlib only)
package main

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"time"
)

func main() {
	c := &http.Client{Timeout: 10 * time.Second}
	r, err := c.Get(os.Args[1])
	if err != nil {
		fmt.Println("error:", err)
		os.Exit(1)
	}
	defer r.Body.Close()
	b, err := io.ReadAll(r.Body)
	if err != nil {
		fmt.Println("error:", err)
		os.Exit(1)
	}
	fmt.Printf("status %d bytes %d\n%s", r.StatusCode, len(b), b)
}
