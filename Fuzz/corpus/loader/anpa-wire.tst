h0417-----
r a BC-HAR--Porthaven-Buoys   11-13 0180
^BC-HAR--Porthaven-Buoys,180<
^Storm shifts two channel buoys off Porthaven<
^Eds: Moves on general news and marine wires.<
^By MIRA CASTELL=
^Associated Press=
	   PORTHAVEN (AP) _ Monday night's gale dragged two of the red channel buoys off Porthaven some forty metres to the east, and the harbour master closed the channel to boats drawing more than two metres until they are reset.
	   The buoy tender from Quillmouth is due on Wednesday. Until then the island ferry keeps to the south passage, which adds ten minutes to the crossing.
	   AP-WF-11-13-07 1522GMT<

