// SPDX-License-Identifier: LGPL-2.1-or-later
// gonet.go - print net.Interfaces() and each interface's Addrs() in a
// stable text form (a test helper: built static, CGO_ENABLED=0, so it makes
// its own netlink calls without libc, and its output on the host and in the
// sandbox are compared).
package main

import (
	"fmt"
	"net"
	"os"
	"sort"
)

func main() {
	ifs, err := net.Interfaces()
	if err != nil {
		fmt.Printf("interfaces error %v\n", err)
		os.Exit(1)
	}
	status := 0
	for _, ifc := range ifs {
		fmt.Printf("if %d %s mtu=%d hw=%s flags=%s\n", ifc.Index, ifc.Name,
			ifc.MTU, ifc.HardwareAddr, ifc.Flags)
		addrs, err := ifc.Addrs()
		if err != nil {
			fmt.Printf("addrs %s error %v\n", ifc.Name, err)
			status = 1
			continue
		}
		s := make([]string, 0, len(addrs))
		for _, a := range addrs {
			s = append(s, a.String())
		}
		sort.Strings(s)
		for _, a := range s {
			fmt.Printf("addr %s %s\n", ifc.Name, a)
		}
	}
	os.Exit(status)
}
