; Included by the NSIS installer CPack generates (installer/CMakeLists.txt), inside its
; install section: registers the swarmshare: link scheme (docs/PROTOCOL.md, share links)
; for every user, so a link clicked in a browser or a chat opens the client with it.
WriteRegStr HKLM "Software\Classes\swarmshare" "" "URL:Swarmshare share link"
WriteRegStr HKLM "Software\Classes\swarmshare" "URL Protocol" ""
WriteRegStr HKLM "Software\Classes\swarmshare\DefaultIcon" "" "$INSTDIR\bin\swarmshare.exe,0"
WriteRegStr HKLM "Software\Classes\swarmshare\shell\open\command" "" '"$INSTDIR\bin\swarmshare.exe" "%1"'
