#!/usr/bin/env python3
"""Helpers of tests/browser/test_chromium.sh, standard library only.

  page.py proxy PORTFILE LOG   an HTTP proxy that answers 404 to every request and
                               logs its first line: Chromium's only way out, so any
                               request the page makes lands in LOG
  page.py pixels PNG Y0 Y1     pixels that are not white in rows Y0..Y1
  page.py order DOM KEY        the data-v values of column KEY of the table, in DOM order
  page.py nosvg IN OUT         IN with its inline <svg> emptied (the screenshot's control)
"""
import http.server
import re
import struct
import sys
import zlib


def proxy(portfile, log):
    class H(http.server.BaseHTTPRequestHandler):
        def any(self):
            with open(log, "a") as f:
                f.write(self.requestline + "\n")
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()

        do_GET = do_POST = do_HEAD = do_CONNECT = do_PUT = do_OPTIONS = any

        def log_message(self, *a):
            pass

    s = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
    with open(portfile, "w") as f:
        f.write(str(s.server_address[1]))
    s.serve_forever()


def rows(png):
    """Decodes an 8-bit RGB/RGBA non-interlaced PNG (what Chromium writes)."""
    data = open(png, "rb").read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat = 8, b""
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            w, h, depth, ctype, _, _, inter = struct.unpack(">IIBBBBB", body)
            assert depth == 8 and ctype in (2, 6) and inter == 0, "unsupported PNG"
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    bpp = 3 if ctype == 2 else 4
    raw, stride, prev, out = zlib.decompress(idat), w * bpp, bytearray(w * bpp), []
    for y in range(h):
        f, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b, c = prev[i], prev[i - bpp] if i >= bpp else 0
            if f == 1:
                line[i] = (line[i] + a) & 255
            elif f == 2:
                line[i] = (line[i] + b) & 255
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        out.append(line)
        prev = line
    return out, bpp


def pixels(png, y0, y1):
    lines, bpp = rows(png)
    n = 0
    for line in lines[int(y0):int(y1)]:
        for i in range(0, len(line), bpp):
            if min(line[i], line[i + 1], line[i + 2]) < 235:
                n += 1
    print(n)


def order(dom, key):
    s = open(dom, encoding="utf-8").read()
    heads = re.findall(r'<th data-k="(\w+)"', s)
    k = heads.index(key)
    s = s[s.index('id="rows"'):]
    body = s[s.index("<tbody"):s.index("</tbody>")]
    for tr in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S):
        attrs = re.findall(r"<td([^>]*)>", tr)[k]
        m = re.search(r'data-v="([^"]*)"', attrs)
        print(m.group(1) if m else "")


def nosvg(src, dst):
    s = open(src, encoding="utf-8").read()
    a = s.index("<svg")
    # The same <svg> element, empty: the page keeps its layout, the graph its box.
    s = s[:s.index(">", a) + 1] + s[s.index("</svg>"):]
    open(dst, "w", encoding="utf-8").write(s)


if __name__ == "__main__":
    {"proxy": proxy, "pixels": pixels, "order": order, "nosvg": nosvg}[sys.argv[1]](*sys.argv[2:])
