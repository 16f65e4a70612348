// Program x-net exists to be built against each release of golang.org/x/net so that the offsets table can
// read the layouts of HTTP/2's decoded header frames from its DWARF. It is never run: it only has to make the
// linker keep MetaHeadersFrame, HeadersFrame, FrameHeader and hpack.HeaderField.
package main

import (
	"bytes"
	"fmt"

	"golang.org/x/net/http2"
	"golang.org/x/net/http2/hpack"
)

func main() {
	var block bytes.Buffer
	enc := hpack.NewEncoder(&block)
	enc.WriteField(hpack.HeaderField{Name: ":path", Value: "/pkg.Service/Method"})
	var wire bytes.Buffer
	fr := http2.NewFramer(&wire, &wire)
	fr.ReadMetaHeaders = hpack.NewDecoder(4096, nil)
	fr.WriteHeaders(http2.HeadersFrameParam{StreamID: 1, BlockFragment: block.Bytes(), EndHeaders: true})
	f, err := fr.ReadFrame()
	if mh, ok := f.(*http2.MetaHeadersFrame); ok {
		fmt.Println(mh.StreamID, mh.Fields, mh.Truncated)
	}
	fmt.Println(err)
}
