elsewhere-skck =
    Police certificates (SKCK) and driving licences (SIM) are handled by the police.
    SKCK can be obtained at the Penajam Paser Utara Police (Polres) or the nearest Polsek, or registered through the Polri Super App.
    SIM is handled by the traffic unit (Satlantas) of the Penajam Paser Utara Police.
    Type *menu* to see our services.
elsewhere-tanah =
    Land certificates and land registration are handled by the Land Office (ATR/BPN) of Kabupaten Penajam Paser Utara.
    Please visit that office or use the Sentuh Tanahku app.
    Type *menu* to see our services.
elsewhere-listrik =
    Household electricity (outages, tokens, or new connections) is handled by PLN.
    Please contact PLN through the PLN Mobile app or the PLN Contact Center 123.
    For a street light (PJU) that is out, type *lampu jalan mati*.
elsewhere-samsat =
    Vehicle registration (STNK) and vehicle tax are handled at the Samsat office.
    Please visit the nearest Samsat, or pay the annual tax through the SIGNAL app (Samsat Digital Nasional).
    Type *menu* to see our services.
elsewhere-bpjs =
    BPJS membership is handled by BPJS directly.
    - BPJS Kesehatan (health): the Mobile JKN app or Care Center 165
    - BPJS Ketenagakerjaan (employment): the JMO app or call 175
    For BPJS Kesehatan with contributions paid by the government (PBI), you can apply through our Bansos service: type *bansos*.
