window.YTD.tweets.part0 = [
  {"tweet": {"id": "1050118621198921728", "full_text": "The pilot boat Wren is back on station #harbour", "created_at": "Wed Oct 10 20:19:24 +0000 2018"}}
]
