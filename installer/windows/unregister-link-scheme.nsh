; Included by the NSIS uninstaller (installer/CMakeLists.txt): removes what
; register-link-scheme.nsh wrote, and nothing else.
DeleteRegKey HKLM "Software\Classes\swarmshare"
